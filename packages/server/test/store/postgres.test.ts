import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { ALL_STATES } from '../../src/jobs/states.js';
import { PostgresJobStore } from '../../src/store/postgres/store.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import type { JobStore, Lease } from '../../src/store/store.js';
import { newJob } from '../helpers/jobs.js';
import {
  adminQuery,
  describePostgres,
  dropSchema,
  freshPgStore,
  PG_URL,
  terminateBackends,
  uniqueSchema,
} from '../helpers/postgres.js';
import { storeConformance } from './conformance.js';

const { sqliteSynchronous: synchronous } = defaultConfig();

/** The clock of the scripted histories. */
const T = 1_700_000_000_000;

/** A job the scripted histories insert, the same on both stores. */
function scriptedJob(id: string, over: object = {}) {
  return {
    id,
    tenant: 'ten',
    type: 'simulate',
    queue: 'simulate',
    priority: 0,
    input: { z: 1, a: { y: [1, 'two', null] } },
    metadata: { b: '1', a: '2' },
    max_attempts: 2,
    now: T,
    ...over,
  };
}

/**
 * Rows of a statistics view, read for `schema` once `store` is closed: a
 * backend flushes its counters as it exits, and they show a moment later
 * (`flushed` says when).
 */
async function flushedStats<R extends pg.QueryResultRow>(
  store: PostgresJobStore,
  text: string,
  schema: string,
  flushed: (rows: R[]) => boolean,
): Promise<R[]> {
  await store.close();
  let rows: R[] = [];
  await vi.waitFor(
    async () => {
      rows = await adminQuery<R>(text, [schema]);
      expect(flushed(rows)).toBe(true);
    },
    { timeout: 5_000, interval: 100 },
  );
  return rows;
}

/** Index entries read for `schema`'s indexes, by index name, once `store` is closed. */
async function indexReads(store: PostgresJobStore, schema: string): Promise<Record<string, number>> {
  const rows = await flushedStats<{ name: string; tuples: string }>(
    store,
    'SELECT indexrelname AS name, idx_tup_read AS tuples FROM pg_stat_user_indexes WHERE schemaname = $1',
    schema,
    (rows) => rows.some((r) => r.name.startsWith('jobs_queued') && Number(r.tuples) > 0),
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.tuples)]));
}

/** Up to `limit` jobs of the `simulate` queue, claimed by worker `w`. */
function claimSome(store: PostgresJobStore, limit: number): Promise<Lease[]> {
  return store.claim({ queue: 'simulate', owner: 'w', leaseMs: 10_000, limit });
}

/** Every lease completed, in one batch. */
function completeAll(store: PostgresJobStore, leases: readonly Lease[]) {
  return store.finishMany(
    leases.map(({ token }) => ({ token, outcome: 'completed' as const, opts: { output: {} } })),
  );
}

/** 2,000 jobs queued in batches of 100, their ids starting with `prefix`. */
async function queueDeep(store: PostgresJobStore, prefix: string): Promise<void> {
  for (let b = 0; b < 20; b++)
    await store.insertMany(Array.from({ length: 100 }, (_, i) => newJob(`${prefix}-${b}-${i}`)));
}

/** Rows read from `schema`'s jobs table by sequential scans, once `store` is closed. */
async function seqScanReads(store: PostgresJobStore, schema: string): Promise<number> {
  const [jobs] = await flushedStats<{ reads: string; lookups: string }>(
    store,
    `SELECT seq_tup_read AS reads, idx_scan AS lookups FROM pg_stat_user_tables
     WHERE schemaname = $1 AND relname = 'jobs'`,
    schema,
    ([row]) => Number(row?.lookups) > 0,
  );
  return Number(jobs?.reads);
}

/** The table grows by 2,000 jobs of another queue. */
async function growByAnotherQueue(store: PostgresJobStore): Promise<void> {
  for (let b = 0; b < 4; b++)
    await store.insertMany(
      Array.from({ length: 500 }, (_, i) => newJob(`other-${b}-${i}`, { queue: 'other' })),
    );
}

/** Runs `script` on a new SQLite store and on a new PostgreSQL schema; returns what each answered. */
async function onBothStores(
  script: (store: JobStore) => Promise<unknown[]>,
): Promise<{ fromSqlite: unknown[]; fromPg: unknown[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'longrun-diff-'));
  const sqlite = new SqliteJobStore({ filename: join(dir, 'jobs.db'), synchronous });
  await sqlite.migrate();
  const { store, dispose } = await freshPgStore();
  try {
    return { fromSqlite: await script(sqlite), fromPg: await script(store) };
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
    await dispose();
  }
}

describePostgres('PostgreSQL store', () => {
  storeConformance('postgres', () => freshPgStore());

  it('claims in the same order as the SQLite store: priority, then turns between tenants, then age', async () => {
    async function script(store: JobStore): Promise<unknown[]> {
      // Three tenants of unequal size, mixed priorities, one job not yet due, one tenant already running one.
      const plan: [string, number, number][] = [];
      for (let i = 0; i < 12; i++) plan.push(['big', i % 4 === 0 ? 5 : 0, T + i]);
      for (let i = 0; i < 3; i++) plan.push(['small', 0, T + 20 + i]);
      plan.push(['tiny', -1, T + 30], ['tiny', 0, T + 10_000]);
      for (const [i, [tenant, priority, runAt]] of plan.entries()) {
        await store.insert({ ...scriptedJob(`j${i}`, { tenant, now: T }), priority, runAt });
      }
      const out: unknown[] = [];
      const first = await store.claim({
        queue: 'simulate',
        owner: 'w',
        leaseMs: 60_000,
        limit: 1,
        now: T + 100,
      });
      out.push(first.map((l) => `${l.job.tenant}/${l.job.id}`));
      for (const limit of [3, 4, 2, 20]) {
        const leases = await store.claim({
          queue: 'simulate',
          owner: 'w',
          leaseMs: 60_000,
          limit,
          tenantLimit: 6,
          now: T + 100,
        });
        // Which jobs a claim takes is the order; the leases of one claim start together, in any order.
        out.push(leases.map((l) => `${l.job.tenant}/${l.job.id}`).sort());
      }
      return out;
    }
    const { fromSqlite, fromPg } = await onBothStores(script);
    expect(fromPg).toEqual(fromSqlite);
    // Priority 5 first (all big's), then turns: small and tiny before big's fifth, the tiny job not due never.
    expect(fromSqlite[0]).toEqual(['big/j0']);
    expect((fromSqlite as string[][]).flat()).not.toContain('tiny/j16');
    expect((fromSqlite as string[][]).flat().filter((j) => j.startsWith('big/'))).toHaveLength(6);
  });

  it('answers exactly as the SQLite store does, field for field, for one scripted history', async () => {
    async function script(store: JobStore): Promise<unknown[]> {
      const out: unknown[] = [];
      out.push(await store.insert(scriptedJob('a')));
      out.push(await store.insert(scriptedJob('b', { idempotency: { key: 'k', hash: 'h' }, now: T + 1 })));
      out.push(await store.insert(scriptedJob('c', { now: T + 2 })));
      out.push(await store.insert(scriptedJob('b2', { idempotency: { key: 'k', hash: 'h' }, now: T + 3 })));
      out.push(await store.insert(scriptedJob('a')));
      const leases = await store.claim({
        queue: 'simulate',
        owner: 'w',
        leaseMs: 1000,
        limit: 2,
        now: T + 10,
      });
      out.push(leases.map((l) => l.job));
      const [a, b] = leases;
      out.push(await store.get('ten', 'c'));
      out.push(
        await store.report(
          a!.token,
          { progress: 40, stage: 's', message: 'm', eta: T + 99, logs: ['x', 'y'] },
          T + 11,
        ),
      );
      out.push(
        await store.finish(a!.token, 'completed', {
          output: { q: 1, p: 2 },
          report: { logs: ['z'] },
          now: T + 12,
        }),
      );
      out.push(
        await store.report(
          b!.token,
          { logs: Array.from({ length: 60 }, (_, i) => `b line ${i} "quoted" \\ ünï`) },
          T + 12,
        ),
      );
      out.push(
        await store.finish(b!.token, 'failed', {
          error: { code: 'processor_error', message: 'flaky' },
          retryAt: T + 20,
          now: T + 13,
        }),
      );
      out.push(await store.cancel('ten', 'c', T + 14));
      const [again] = await store.claim({
        queue: 'simulate',
        owner: 'w2',
        leaseMs: 1000,
        limit: 1,
        now: T + 20,
      });
      out.push(again?.job);
      out.push(await store.recover({ now: T + 5000 }));
      out.push(await store.release('nope', T + 5001));
      out.push(await store.list({ tenant: 'ten', limit: 10 }));
      out.push(await store.logs('ten', 'a', { limit: 100 }));
      out.push(await store.changedSince({ since: T, limit: 10 }));
      out.push(await store.countByStatus());
      out.push(await store.delete('ten', 'a'));
      out.push(await store.purge({ finishedBefore: T + 100_000, limit: 10 }));
      return out;
    }
    const { fromSqlite, fromPg } = await onBothStores(script);
    // json_bytes is a cost estimate from each backend's own JSON text (PostgreSQL writes log tails with spaces).
    const shown = (value: unknown) => JSON.stringify(value, (k, v) => (k === 'json_bytes' ? undefined : v));
    expect(shown(fromPg)).toBe(shown(fromSqlite));
  });

  it('answers a batch insert exactly as the SQLite store does, field for field', async () => {
    async function script(store: JobStore): Promise<unknown[]> {
      const out: unknown[] = [];
      out.push(await store.insert(scriptedJob('a')));
      out.push(await store.insert(scriptedJob('k', { idempotency: { key: 'k', hash: 'h' }, now: T + 1 })));
      out.push(
        await store.insertMany([
          scriptedJob('b', { now: T + 2, priority: 5, runAt: T + 50 }),
          scriptedJob('a', { now: T + 2 }),
          scriptedJob('k2', { idempotency: { key: 'k', hash: 'h' }, now: T + 2 }),
          scriptedJob('k3', { idempotency: { key: 'k', hash: 'x' }, now: T + 2 }),
          scriptedJob('c', {
            now: T + 3,
            tenant: 'other',
            webhook: { url: 'https://hooks.example/x', events: ['job.completed'] },
          }),
          scriptedJob('b', { now: T + 3 }),
        ]),
      );
      out.push(await store.list({ limit: 10 }));
      return out;
    }
    const { fromSqlite, fromPg } = await onBothStores(script);
    // A skipped row still draws a number from PostgreSQL's identity sequence: seqs may have gaps there.
    const shown = (value: unknown) =>
      JSON.stringify(value, (k, v) => (k === 'json_bytes' || k === 'seq' ? undefined : v));
    expect(shown(fromPg)).toBe(shown(fromSqlite));
  });

  it('keeps the same webhook outbox as the SQLite store, snapshot for snapshot', async () => {
    const events = ['job.started', 'job.progress', 'job.completed', 'job.failed', 'job.canceled'] as const;
    async function script(store: JobStore): Promise<unknown[]> {
      const job = (id: string) =>
        scriptedJob(id, { webhook: { url: 'https://hooks.example/x', events: [...events] } });
      await store.insert(job('a'));
      await store.insert(job('b'));
      // The claim writes job.started in SQL on PostgreSQL, in JS on SQLite: both must agree.
      const [lease] = await store.claim({
        queue: 'simulate',
        owner: 'w',
        leaseMs: 1000,
        limit: 1,
        now: T + 10,
      });
      await store.report(lease!.token, { progress: 30, stage: 's', logs: ['x'] }, T + 11);
      await store.finish(lease!.token, 'completed', { output: { ok: true }, now: T + 12 });
      await store.cancel('ten', 'b', T + 13);
      const [first] = await store.claimDeliveries({ leaseMs: 1000, limit: 1, now: T + 20 });
      await store.recordDelivery(
        first!.token,
        { at: T + 20, status_code: 503, error: 'HTTP 503', duration_ms: 2 },
        { outcome: 'retry', nextAttemptAt: T + 5000 },
      );
      const strip = (list: { id: string }[] | null) => list?.map(({ id: _id, ...rest }) => rest) ?? null;
      return [
        strip(await store.listDeliveries('ten', 'a')),
        strip(await store.listDeliveries('ten', 'b')),
        await store.nextDeliveryAt(),
      ];
    }
    const { fromSqlite, fromPg } = await onBothStores(script);
    expect((fromSqlite[0] as unknown[]).length).toBe(3);
    expect(JSON.stringify(fromPg)).toBe(JSON.stringify(fromSqlite));
  });

  it('migrates once when several nodes start at the same moment', async () => {
    const schema = uniqueSchema();
    const stores = Array.from(
      { length: 5 },
      () => new PostgresJobStore({ connectionString: PG_URL, schema, poolSize: 2 }),
    );
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      await Promise.all(stores.map((s) => s.migrate()));
      const rows = await adminQuery<{ version: number }>(
        `SELECT version FROM ${pg.escapeIdentifier(schema)}.schema_migrations ORDER BY version`,
      );
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    }
  });

  it('migrates a schema made beforehand for a user who may not create schemas', async () => {
    const schema = uniqueSchema();
    const role = `${schema}_user`;
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
    // A new role has no CREATE on the database (PUBLIC does not, by default): it cannot make schemas.
    await adminQuery(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
    const url = new URL(PG_URL);
    url.username = role;
    url.password = '';
    const store = new PostgresJobStore({ connectionString: url.toString(), schema, poolSize: 2 });
    try {
      await store.migrate();
      const r = await store.insert(newJob('x', { max_attempts: 1 }));
      expect(r.outcome).toBe('created');
    } finally {
      await store.close();
      await dropSchema(schema);
      await adminQuery(`DROP ROLE ${role}`);
    }
  });

  it('refuses a schema migrated by a newer longrun', async () => {
    const { store, schema, dispose } = await freshPgStore();
    try {
      await adminQuery(
        `INSERT INTO ${pg.escapeIdentifier(schema)}.schema_migrations VALUES (9999, 'future', 0)`,
      );
      await expect(store.migrate()).rejects.toThrow(/migration 9999.*newer version/);
    } finally {
      await dispose();
    }
  });

  it('stores exactly the states of the state machine (the CHECK constraint agrees with JOB_STATES)', async () => {
    const { schema, dispose } = await freshPgStore();
    const insert = `INSERT INTO ${pg.escapeIdentifier(schema)}.jobs
      (tenant, id, type, status, input, max_attempts, created_at, updated_at, run_at)
      VALUES ('t', $1, 'simulate', $2, '{}', 1, 0, 0, 0)`;
    try {
      for (const status of ALL_STATES) await adminQuery(insert, [`id-${status}`, status]);
      await expect(adminQuery(insert, ['id-bogus', 'paused'])).rejects.toThrow(/check constraint/);
    } finally {
      await dispose();
    }
  });

  it('sends the BEGIN of a transaction with its first statement, its values bound instead when long or with a NUL', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1 });
    const query = vi.spyOn(pg.Client.prototype, 'query');
    // What went to the server, less the statements prepared once per connection.
    const sent = () =>
      query.mock.calls
        .map(([q]) => (typeof q === 'string' ? q : (q as pg.QueryConfig).text))
        .filter((text) => !text.startsWith('PREPARE'));
    try {
      await store.insert(newJob('taken'));
      await store.insert(newJob('keyed', { idempotency: { key: 'k', hash: 'h1' } }));
      query.mockClear();
      const fresh = await store.insertMany([
        newJob('a'),
        newJob('b', { idempotency: { key: 'k2', hash: 'h' } }),
      ]);
      expect(fresh.map((r) => [r.outcome, r.job.id])).toEqual([
        ['created', 'a'],
        ['created', 'b'],
      ]);
      expect(sent()).toEqual([expect.stringMatching(/^BEGIN; EXECUTE \w+\(/), 'COMMIT']);

      // Taken ids and keys are resolved in the same transaction, after the insert that skipped them.
      query.mockClear();
      const mixed = await store.insertMany([
        newJob('c'),
        newJob('taken'),
        newJob('again', { idempotency: { key: 'k', hash: 'h1' } }),
        newJob('d'),
      ]);
      expect(mixed.map((r) => [r.outcome, r.job.id])).toEqual([
        ['created', 'c'],
        ['id_exists', 'taken'],
        ['replayed', 'keyed'],
        ['created', 'd'],
      ]);
      expect(sent()[0]).toMatch(/^BEGIN; EXECUTE /);
      expect(sent().at(-1)).toBe('COMMIT');

      // A megabyte and more of input is bound, not escaped into the query's text; so is a NUL,
      // which PostgreSQL then refuses as it refuses it bound.
      query.mockClear();
      await store.insertMany([newJob('long', { input: { text: 'x'.repeat(1024 * 1024) } }), newJob('e')]);
      expect(sent().slice(0, 1)).toEqual(['BEGIN']);
      query.mockClear();
      await expect(store.insertMany([newJob('f'), newJob('nul\u0000')])).rejects.toThrow(/0x00/);
      expect(sent().slice(0, 1)).toEqual(['BEGIN']);
      const [row] = await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".jobs`);
      expect(Number(row!.n)).toBe(8);
    } finally {
      query.mockRestore();
      await dispose();
    }
  });

  it('writes single inserts that come at once in one statement of its own, each to its own outcome', async () => {
    const { store, dispose } = await freshPgStore();
    const query = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await store.insert(newJob('taken'));
      await store.insert(newJob('keyed', { idempotency: { key: 'k', hash: 'h1' } }));
      query.mockClear();
      const results = await Promise.all([
        store.insert(newJob('a')),
        store.insert(newJob('taken')),
        store.insert(newJob('again', { idempotency: { key: 'k', hash: 'h1' } })),
        store.insert(newJob('other', { idempotency: { key: 'k', hash: 'h2' } })),
        store.insert(newJob('b')),
      ]);
      // One statement, committed by itself (no transaction around it), for all but the fourth,
      // whose key the third has and which goes after it; the jobs skipped were resolved alone.
      const sent = query.mock.calls.map(([q]) => q as pg.QueryConfig | string);
      const many = sent.filter((q) => typeof q !== 'string' && q.text.includes('unnest('));
      expect(many).toHaveLength(1);
      expect((many[0] as pg.QueryConfig).values![1]).toEqual(['a', 'taken', 'again', 'b']);
      expect(sent).not.toContain('BEGIN');
      expect(results.map((r) => [r.outcome, r.job.id])).toEqual([
        ['created', 'a'],
        ['id_exists', 'taken'],
        ['replayed', 'keyed'],
        ['idempotency_conflict', 'keyed'],
        ['created', 'b'],
      ]);
      // A job PostgreSQL refuses (a NUL in its text) fails its statement: the others of its batch
      // are then written one by one, and only it fails.
      const mixed = await Promise.allSettled([
        store.insert(newJob('c')),
        store.insert(newJob('bad\u0000id')),
        store.insert(newJob('d')),
      ]);
      expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await store.get('t', 'c'))?.status).toBe('queued');
      expect((await store.get('t', 'd'))?.status).toBe('queued');
    } finally {
      query.mockRestore();
      await dispose();
    }
  });

  it('keeps every line of a job written before the tail kept times in the log table, its claim line and finish line too', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      const jobs = pg.escapeIdentifier(schema);
      await store.insert(newJob('old'));
      await store.insert(newJob('new'));
      // A queued row as the store wrote it before it kept the tail's times: NULL.
      await adminQuery(`UPDATE ${jobs}.jobs SET logs_tail_ts = NULL WHERE id = 'old'`);
      const leases = await claimSome(store, 2);
      for (const lease of leases) {
        await store.report(lease.token, { logs: ['one', 'two'] });
        await store.finish(lease.token, 'completed', { output: {} });
      }
      const table = await adminQuery<{ id: string; n: number; line: string }>(
        `SELECT j.id, l.n, l.line FROM ${jobs}.job_logs l JOIN ${jobs}.jobs j ON j.seq = l.job_seq ORDER BY j.id, l.n`,
      );
      // The old row's four lines are all in the table; the new one's are in its tail alone.
      expect(table.map((r) => [r.id, r.n])).toEqual([
        ['old', 1],
        ['old', 2],
        ['old', 3],
        ['old', 4],
      ]);
      for (const id of ['old', 'new']) {
        const lines = (await store.logs('t', id, { limit: 10 }))!;
        expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
        expect(lines.map((l) => l.line).slice(1, 3)).toEqual(['one', 'two']);
        expect((await store.get('t', id))!.logs).toEqual(lines.map((l) => l.line));
      }
    } finally {
      await dispose();
    }
  });

  it('writes a heartbeat as a heap-only tuple: it changes no indexed column, so no index gets an entry', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      await store.insert(newJob('beating'));
      const [lease] = await claimSome(store, 1);
      for (let i = 1; i <= 5; i++) expect(await store.heartbeat(lease!.token, 10_000 + i)).toBe(true);
      const [counts] = await flushedStats<{ updates: string; hot: string }>(
        store,
        `SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables
         WHERE schemaname = $1 AND relname = 'jobs'`,
        schema,
        (rows) => Number(rows[0]?.updates) >= 6,
      );
      // The claim (status, lease token: indexed) and five heartbeats.
      expect(Number(counts!.updates)).toBe(6);
      expect(Number(counts!.hot)).toBe(5);
    } finally {
      await dispose();
    }
  });

  it('finds the tenants of a deep queue through the tenant index, on a table with no statistics', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      // A new table, never analysed (as with autovacuum off): PostgreSQL plans without statistics.
      await queueDeep(store, 'deep');
      for (let i = 0; i < 3; i++) expect(await claimSome(store, 1)).toHaveLength(1);
      const read = await indexReads(store, schema);
      // Three claims of one job: a handful of entries each, not the 2,000 jobs queued.
      expect(read.jobs_queued_by_tenant).toBeLessThan(100);
      expect(read.jobs_queued_priority ?? 0).toBeLessThan(100);
      expect(read.jobs_queued_due ?? 0).toBeLessThan(100);
    } finally {
      await dispose();
    }
  });

  it('takes a deep queue by the tenant index when its plan was made on an empty queue', async () => {
    // 1,000 jobs run and finished: the queue's indexes hold their dead entries, as a busy
    // queue's do between vacuums.
    const first = await freshPgStore({ poolSize: 1 });
    for (let b = 0; b < 10; b++)
      await first.store.insertMany(Array.from({ length: 100 }, (_, i) => newJob(`done-${b}-${i}`)));
    for (
      let leases = await claimSome(first.store, 32);
      leases.length > 0;
      leases = await claimSome(first.store, 32)
    )
      await completeAll(first.store, leases);
    const before = await indexReads(first.store, first.schema);
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1, schema: first.schema });
    try {
      // A new connection's first claim, on the empty queue, makes the plan its later claims run.
      expect(await claimSome(store, 32)).toHaveLength(0);
      await queueDeep(store, 'deep');
      for (let i = 0; i < 3; i++) expect(await claimSome(store, 1)).toHaveLength(1);
      const after = await indexReads(store, schema);
      const read = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
      // A plan that judged every index alike, made without statistics, read each of the 2,000
      // queued jobs through the smaller (queue, priority) index and sorted them, at every claim.
      expect(read('jobs_queued_priority')).toBeLessThan(100);
      expect(read('jobs_queued_due')).toBeLessThan(100);
      expect(read('jobs_queued_by_tenant')).toBeLessThan(100);
    } finally {
      await dispose();
    }
  });

  it('finds the jobs a claim picked by their seq, not by reading the table, after the table has grown', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      // The connection's first claim, on a table of one job, makes the plan every later claim runs.
      await store.insert(newJob('first'));
      expect(await claimSome(store, 1)).toHaveLength(1);
      // The table grows by 2,000 jobs; three claims follow.
      await growByAnotherQueue(store);
      for (const id of ['a', 'b', 'c']) await store.insert(newJob(id));
      for (let i = 0; i < 3; i++) expect(await claimSome(store, 1)).toHaveLength(1);
      // Each of the three would read all 2,004 rows through a hash join over a sequential scan.
      expect(await seqScanReads(store, schema)).toBeLessThan(500);
    } finally {
      await dispose();
    }
  });

  it('finds the jobs a batched finish writes by their seq, not by reading the table, after the table has grown', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      // The connection's first finishes, on a table of a few jobs, make the plan later ones run.
      for (let round = 0; round < 6; round++) {
        await store.insertMany([newJob(`first-${round}-a`), newJob(`first-${round}-b`)]);
        await completeAll(store, await claimSome(store, 32));
      }
      await growByAnotherQueue(store);
      for (let round = 0; round < 3; round++) {
        await store.insertMany([newJob(`late-${round}-a`), newJob(`late-${round}-b`)]);
        await completeAll(store, await claimSome(store, 32));
      }
      // Each of the three would read all 2,000-odd rows through a hash join over a sequential scan.
      expect(await seqScanReads(store, schema)).toBeLessThan(500);
    } finally {
      await dispose();
    }
  });

  it('reads the jobs changed since a time through indexes, not the table, however many jobs finished before', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      const now = Date.now();
      // 20,000 jobs that finished an hour ago: the history a feed's catch-up must not read.
      await adminQuery(
        `INSERT INTO "${schema}".jobs (tenant, id, type, queue, status, input, input_bytes, max_attempts, attempt,
                                       created_at, started_at, updated_at, finished_at, run_at, output, progress)
         SELECT 't', 'old-' || g, 'simulate', 'simulate', 'completed', '{}', 2, 3, 1, $1, $1, $1, $1, $1, '{}', 100
         FROM generate_series(1, 20000) g`,
        [now - 3_600_000],
      );
      await adminQuery(`ANALYZE "${schema}".jobs`);
      await store.insertMany([newJob('a'), newJob('b'), newJob('c')]);
      const [running, done] = await claimSome(store, 2);
      await completeAll(store, [done!]);
      const changed = await store.changedSince({ since: now, limit: 100 });
      expect(changed.map((j) => [j.id, j.status]).sort()).toEqual([
        [running!.job.id, 'running'],
        [done!.job.id, 'completed'],
        ['c', 'queued'],
      ]);
      // A sequential scan would read all 20,003 rows.
      expect(await seqScanReads(store, schema)).toBeLessThan(500);
    } finally {
      await dispose();
    }
  });

  it('claims in one round trip with its values written in: any owner text arrives as given', async () => {
    const { store, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      // Quotes, a backslash, a parameter marker and a semicolon: written in as a literal, none
      // of them may end the literal, stand for a parameter or start a statement.
      const owner = `w'1 \\ $1 "x"; SELECT 1; --`;
      for (const id of ['a', 'b', 'c']) await store.insert(newJob(id));
      // On one connection: the first claim prepares the statement, the later ones only execute it.
      for (const id of ['a', 'b', 'c']) {
        const [lease] = await store.claim({ queue: 'simulate', owner, leaseMs: 10_000, limit: 1 });
        expect(lease?.job).toMatchObject({ id, status: 'running', lease_owner: owner });
        expect((await store.get('t', id))?.lease_owner).toBe(owner);
      }
    } finally {
      await dispose();
    }
  });

  it('writes a finish with its values written in: any text of its output and log lines arrives as given', async () => {
    const { store, dispose } = await freshPgStore({ poolSize: 1 });
    try {
      // Quotes of both kinds, backslashes, braces, commas, a NULL word, a newline, non-ASCII: none
      // may end a literal, split an array element or read as a null.
      const tricky = `a'b "c" \\d\\ {e,f} NULL \n é 😀 $1; --`;
      await store.insert(newJob('a'));
      const [lease] = await store.claim({ queue: 'simulate', owner: 'w', leaseMs: 10_000, limit: 1 });
      await store.finish(lease!.token, 'completed', {
        output: { text: tricky, list: [tricky, null] },
        report: { stage: tricky, message: tricky, logs: [tricky, 'NULL', ''] },
      });
      const job = await store.get('t', 'a');
      expect(job).toMatchObject({ status: 'completed', stage: tricky, message: tricky });
      expect(job!.output).toEqual({ text: tricky, list: [tricky, null] });
      const lines = (await store.logs('t', 'a', { limit: 10 }))!.map((l) => l.line);
      expect(lines.slice(1, 4)).toEqual([tricky, 'NULL', '']);
    } finally {
      await dispose();
    }
  });

  it('keeps working after the server cuts its connections', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 4 });
    try {
      const first = await store.insert(newJob('a', { max_attempts: 1 }));
      expect(first.outcome).toBe('created');
      // Open several connections, then have the server end them all.
      await Promise.all([store.get('t', 'a'), store.get('t', 'a'), store.get('t', 'a'), store.get('t', 'a')]);
      expect(await terminateBackends(`longrun/${schema}`)).toBeGreaterThan(0);
      expect((await store.get('t', 'a'))?.id).toBe('a');
      const [lease] = await claimSome(store, 1);
      expect(lease?.job.id).toBe('a');
      await terminateBackends(`longrun/${schema}`);
      expect(await store.finish(lease!.token, 'completed', { output: {} })).toMatchObject({
        status: 'completed',
      });
    } finally {
      await dispose();
    }
  });

  it('survives connections cut in the middle of busy transactions: each fails cleanly or succeeds', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 6 });
    try {
      const errors: unknown[] = [];
      let stop = false;
      let n = 0;
      const churn = async () => {
        while (!stop) {
          try {
            n += 1;
            await store.insert(newJob(`busy-${n}`));
            for (const lease of await store.claim({
              queue: 'simulate',
              owner: 'w',
              leaseMs: 60_000,
              limit: 2,
            })) {
              await store.report(lease.token, { progress: 50, logs: ['half'] });
              await store.finish(lease.token, 'completed', { output: {} });
            }
          } catch (err) {
            errors.push(err);
          }
        }
      };
      const workers = Array.from({ length: 6 }, churn);
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await terminateBackends(`longrun/${schema}`);
      }
      stop = true;
      await Promise.all(workers);
      // An outcome may be unknown when the cut falls on a COMMIT or a single-statement write;
      // such a call says so with StoreUnavailableError, and nothing else goes wrong.
      expect(errors.filter((e) => (e as Error).name !== 'StoreUnavailableError')).toEqual([]);
      const counts = await store.countByStatus();
      expect(counts.completed).toBeGreaterThan(0);
    } finally {
      await dispose();
    }
  });

  it('lets two nodes recover the same expired leases with each job requeued once', async () => {
    const { store, schema, dispose } = await freshPgStore();
    const other = new PostgresJobStore({ connectionString: PG_URL, schema, poolSize: 4 });
    try {
      for (let i = 0; i < 40; i++) {
        await store.insert(newJob(`j${i}`));
      }
      const now = Date.now();
      expect(
        await store.claim({ queue: 'simulate', owner: 'dead', leaseMs: 1000, limit: 40, now }),
      ).toHaveLength(40);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? store : other).recover({ now: now + 5000 })),
      );
      const ids = results.flat().map((j) => j.id);
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
      const counts = await store.countByStatus();
      expect(counts.queued).toBe(40);
    } finally {
      await other.close();
      await dispose();
    }
  });
});
