import { startTcpProxy } from '@longrun/testkit';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { StoredJob } from '../../src/jobs/model.js';
import { PostgresFeed } from '../../src/store/postgres/feed.js';
import { parseNotices, registerListener } from '../../src/store/postgres/notify.js';
import { PostgresJobStore } from '../../src/store/postgres/store.js';
import type { Lease } from '../../src/store/store.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { newJob } from '../helpers/jobs.js';
import {
  adminQuery,
  describePostgres,
  freshPgStore,
  PG_URL,
  terminateBackends,
} from '../helpers/postgres.js';

useCleanup();

/** A fresh store with `n` jobs claimed under leases of a minute. */
async function claimed(n: number): Promise<{ store: PostgresJobStore; schema: string; leases: Lease[] }> {
  const { store, schema, dispose } = await freshPgStore({ poolSize: 4 });
  afterThisTest(dispose);
  await store.insertMany(Array.from({ length: n }, (_, i) => newJob(`j${i}`, { max_attempts: 1 })));
  const leases = await store.claim({ queue: 'simulate', owner: 'w', leaseMs: 60_000, limit: n });
  expect(leases).toHaveLength(n);
  return { store, schema, leases };
}

/** An administrator's connection of its own, closed after the test. */
async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL, application_name: 'longrun-test-admin' });
  await client.connect();
  afterThisTest(() => client.end().catch(() => undefined));
  return client;
}

/** Until `check` gives something, or throw after a few seconds. */
async function until<T>(check: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('not in 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The store's backends that wait for a row lock: a batch statement blocked by the test. */
async function blockedBackends(schema: string): Promise<number> {
  const rows = await adminQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE application_name = $1 AND wait_event_type = 'Lock'`,
    [`longrun/${schema}`],
  );
  return rows[0]!.n;
}

/** Each job's status, version and how many times its log says it completed. */
async function ledger(
  schema: string,
): Promise<Map<string, { status: string; version: number; completions: number }>> {
  const rows = await adminQuery<{ id: string; status: string; version: number; completions: number }>(
    // A job's log: the lines that left its tail (the log table) and the tail.
    `SELECT j.id, j.status, j.version,
       (SELECT count(*)::int FROM ${pg.escapeIdentifier(schema)}.job_logs l
        WHERE l.job_seq = j.seq AND l.line LIKE '% completed')
       + (SELECT count(*)::int FROM json_array_elements_text(j.logs_tail) t(line)
          WHERE t.line LIKE '% completed') AS completions
     FROM ${pg.escapeIdentifier(schema)}.jobs j`,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Finish every lease at once while the test holds the first job's row lock,
 * so that the batch statement waits inside PostgreSQL; `letGo` ends the lock.
 */
async function finishBlocked(store: PostgresJobStore, schema: string, leases: Lease[]) {
  const admin = await adminClient();
  await admin.query('BEGIN');
  await admin.query(`SELECT 1 FROM ${pg.escapeIdentifier(schema)}.jobs WHERE id = $1 FOR UPDATE`, [
    leases[0]!.job.id,
  ]);
  const finishing = Promise.allSettled(
    leases.map((lease, i) => store.finish(lease.token, 'completed', { output: { i } })),
  );
  await until(async () => (await blockedBackends(schema)) === 1);
  return { finishing, letGo: () => admin.query('ROLLBACK') };
}

/** Every job completed, by one finish: the version after its claim and finish, one completion line. */
async function finishedOnce(schema: string): Promise<boolean> {
  const jobs = [...(await ledger(schema)).values()];
  return jobs.every((j) => j.status === 'completed' && j.version === 3 && j.completions === 1);
}

describePostgres('PostgreSQL fenced changes in batches', () => {
  it('writes many concurrent finishes in a few statements, each caller getting its own job, a stale token null', async () => {
    const { store, leases } = await claimed(200);
    const listener = await adminClient();
    const payloads: string[] = [];
    listener.on('notification', (msg) => payloads.push(msg.payload ?? ''));
    await listener.query(`LISTEN ${pg.escapeIdentifier(store.channel)}`);
    await registerListener(listener, store.listeners, 'another-process');
    // One lease lost to a cancel before the finishes: its finish is refused, the others go through.
    await store.cancel('t', leases[7]!.job.id);
    await until(async () => payloads.length === 1);
    payloads.length = 0;
    const results = await Promise.all(
      leases.map((lease, i) =>
        store.finish(lease.token, i % 2 ? 'completed' : 'failed', {
          output: { i },
          error: { code: 'processor_error', message: `no ${i}` },
        }),
      ),
    );
    for (const [i, job] of results.entries()) {
      if (i === 7) {
        expect(job).toBeNull();
        continue;
      }
      expect(job).toMatchObject({
        id: leases[i]!.job.id,
        status: i % 2 ? 'completed' : 'failed',
        version: leases[i]!.job.version + 1,
        lease_owner: null,
      });
      if (i % 2) expect(job!.output).toEqual({ i });
      else expect(job!.error).toEqual({ code: 'processor_error', message: `no ${i}` });
    }
    // 199 changes: one statement, whose notices fill a few notifications.
    const notices = await until(async () => {
      const all = payloads.flatMap((p) => parseNotices(p));
      return all.length >= 199 && all;
    });
    expect(new Set(notices.map((n) => n.id)).size).toBe(199);
    expect(payloads.length).toBeLessThan(10);
    // What the callers got is what the store holds.
    for (const i of [0, 1, 100, 199]) expect(await store.get('t', leases[i]!.job.id)).toEqual(results[i]);
  });

  it('applies a token’s reports and finish in the order asked, in one batch, and refuses what comes after the finish', async () => {
    const { store, leases } = await claimed(2);
    const [a, b] = leases as [Lease, Lease];
    const results = await Promise.all([
      store.report(a.token, { progress: 10, logs: ['one'] }),
      store.report(b.token, { progress: 30 }),
      store.report(a.token, { progress: 20, logs: ['two'] }),
      store.finish(a.token, 'completed', { output: { done: true } }),
      store.report(a.token, { progress: 50 }),
      store.finish(a.token, 'completed', { output: { again: true } }),
    ]);
    expect(results.map((j) => (j ? [j.id, j.status, j.progress, j.version] : null))).toEqual([
      [a.job.id, 'running', 10, 3],
      [b.job.id, 'running', 30, 3],
      [a.job.id, 'running', 20, 4],
      [a.job.id, 'completed', 100, 5],
      null,
      null,
    ]);
    const done = await store.get('t', a.job.id);
    expect(done).toMatchObject({ status: 'completed', output: { done: true }, version: 5 });
    expect(done!.logs.slice(-3)).toEqual(['one', 'two', 'attempt 1 completed']);
    // The last report's row is kept: the next change of b needs no read, and is right.
    expect(await store.report(b.token, { progress: 40 })).toMatchObject({ progress: 40, version: 4 });
  });

  it('reads again and retries only the finishes whose rows changed underneath the batch', async () => {
    const { store, schema, leases } = await claimed(3);
    // Another node cancels job 1 and a report bumps job 2 behind this process's back: both cached rows are stale.
    const node2 = new PostgresJobStore({ connectionString: PG_URL, schema, poolSize: 2 });
    afterThisTest(() => node2.close());
    await node2.cancel('t', leases[1]!.job.id);
    await node2.report(leases[2]!.token, { progress: 60 });
    const results = await store.finishMany(
      leases.map((lease) => ({ token: lease.token, outcome: 'completed' as const, opts: { output: {} } })),
    );
    expect(results.map((j) => j && [j.status, j.version, j.progress])).toEqual([
      ['completed', 3, 100],
      null,
      ['completed', 4, 100],
    ]);
    // A log line only for a row the batch wrote: none for the change that lost its race to the cancel.
    const completedLines = async (id: string) =>
      (await store.logs('t', id, { limit: 100 }))!.filter((l) => l.line === 'attempt 1 completed').length;
    expect(await Promise.all(leases.map((lease) => completedLines(lease.job.id)))).toEqual([1, 0, 1]);
  });

  it('finishes each job once when its batch statement is cut before it commits', async () => {
    const { store, schema, leases } = await claimed(50);
    // A row lock held by the test makes the batch statement wait, so the cut falls inside it.
    const { finishing, letGo } = await finishBlocked(store, schema, leases);
    expect(await terminateBackends(`longrun/${schema}`)).toBeGreaterThan(0);
    await letGo();
    const results = await finishing;
    // The cut statement rolled back: read again, the jobs still ran under their tokens, so the finishes were made again.
    expect(results.map((r) => r.status === 'fulfilled' && r.value?.status)).toEqual(
      leases.map(() => 'completed'),
    );
    expect(await finishedOnce(schema)).toBe(true);
  });

  it('finishes each job once when the reply of its committed batch is lost, and says so with null', async () => {
    const proxy = await startTcpProxy({
      host: '127.0.0.1',
      port: Number(new URL(PG_URL).port || 5432),
    });
    afterThisTest(() => proxy.close());
    const { store: direct, schema, leases } = await claimed(50);
    // The same schema through the proxy: its connections can be cut while PostgreSQL commits.
    const store = new PostgresJobStore({ connectionString: proxy.via(PG_URL), schema, poolSize: 2 });
    afterThisTest(() => store.close());
    // Its process alone listens (its LISTEN connection not through the proxy): no write notifies
    // it, and the waiter hears of the completion no reply brought because its store lost a
    // connection, after which the feed reads what changed again.
    const feed = new PostgresFeed({ store, connectionString: PG_URL, probeIntervalMs: 60_000 });
    await feed.start();
    afterThisTest(() => feed.close());
    const heard: StoredJob[] = [];
    feed.subscribe('t', leases[9]!.job.id, (job) => heard.push(job));
    const { finishing, letGo } = await finishBlocked(store, schema, leases);
    // The reply is dropped on the way back; the statement goes on and commits once the lock is let go.
    proxy.blackhole(true);
    await letGo();
    await until(async () => (await blockedBackends(schema)) === 0);
    await until(async () => [...(await ledger(schema)).values()].every((j) => j.status === 'completed'));
    proxy.blackhole(false);
    const results = await finishing;
    // Read again, none runs under its token any more: each finish is refused, as a repeat after a commit is.
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'error'))).toEqual(
      leases.map(() => null),
    );
    expect(await finishedOnce(schema)).toBe(true);
    expect(await direct.get('t', leases[9]!.job.id)).toMatchObject({ output: { i: 9 } });
    expect(await until(async () => heard.find((job) => job.status === 'completed'))).toMatchObject({
      output: { i: 9 },
    });
  });

  it('keeps every job finished once or running under its lease while connections are cut again and again', async () => {
    const { store, schema, leases } = await claimed(300);
    let cutting = true;
    const cuts = (async () => {
      while (cutting) {
        await terminateBackends(`longrun/${schema}`);
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    const results = await Promise.allSettled(
      leases.map(async (lease, i) => {
        await new Promise((r) => setTimeout(r, i % 100));
        return store.finish(lease.token, 'completed', { output: { i } });
      }),
    );
    cutting = false;
    await cuts;
    const jobs = await ledger(schema);
    for (const [i, lease] of leases.entries()) {
      const job = jobs.get(lease.job.id)!;
      const result = results[i]!;
      // Finished once (version 3, one completion line), or never, still running under its lease.
      if (job.status === 'completed') expect([job.version, job.completions]).toEqual([3, 1]);
      else expect([job.status, job.version, job.completions]).toEqual(['running', 2, 0]);
      // A caller told of a job was told the truth; a refusal or an error leaves it either way.
      if (result.status === 'fulfilled' && result.value) expect(result.value.status).toBe(job.status);
      if (result.status === 'rejected') expect((result.reason as Error).name).toBe('StoreUnavailableError');
    }
    // Those left running are finished by their holder's next try, once.
    const left = leases.filter((l) => jobs.get(l.job.id)!.status === 'running');
    const again = await store.finishMany(
      left.map((l) => ({ token: l.token, outcome: 'completed', opts: {} })),
    );
    expect(again.every((j: StoredJob | null) => j?.status === 'completed')).toBe(true);
  });
});
