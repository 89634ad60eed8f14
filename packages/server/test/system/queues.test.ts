import { join } from 'node:path';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../src/internal/sleep.js';
import { call, eventually, tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';

useCleanup();

const servers: LongrunServer[] = [];
const schemas: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

type StoreKind = 'sqlite' | 'postgres';

/** Flags that put a server on `store`: its own data dir, and for PostgreSQL its own schema. */
function storeArgs(store: StoreKind, dataDir: string): string[] {
  if (store === 'sqlite') return [];
  const schema = uniqueSchema('queues');
  schemas.push(schema);
  return [
    ...['--database-url', PG_URL, '--database-schema', schema],
    ...['--artifacts-dir', join(dataDir, 'artifacts')],
  ];
}

async function serve(store: StoreKind, args: string[] = []): Promise<LongrunServer> {
  const dataDir = tempDir('longrun-queues-');
  const server = await startServer([...storeArgs(store, dataDir), ...args], { dataDir });
  servers.push(server);
  return server;
}

const ALPHA = 'alpha-key-0001';
const BETA = 'beta-key-00002';
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Every job of a tenant, following the list's cursor. */
async function allJobs(url: string, key: string): Promise<Record<string, string | null>[]> {
  const jobs: Record<string, string | null>[] = [];
  let cursor: string | null = null;
  do {
    const page = await call(url, 'GET', `/v1/jobs?limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: auth(key),
    });
    jobs.push(...page.body.data);
    cursor = page.body.next_cursor ?? null;
  } while (cursor);
  return jobs;
}

function queueTests(store: StoreKind): void {
  it('runs 200 compat jobs of delay_seconds=3 each in about 3 s while a media job holds the CPU', async () => {
    // The defaults of `npm start`: no limits given.
    const server = await serve(store, ['--simulate-error-rate', '0']);
    const media = await call(server.url, 'POST', '/v1/jobs', {
      body: {
        type: 'text.to_video',
        input: { text: 'A long reading. '.repeat(400), width: 1280, height: 720 },
      },
    });
    expect(media.status).toBe(202);
    await eventually(
      async () => (await call(server.url, 'GET', `/v1/jobs/${media.body.id}`)).body.status === 'running',
    );
    const ids = Array.from({ length: 200 }, (_, i) => `cc_${i}`);
    await Promise.all(
      ids.map(async (id) => {
        const r = await fetch(`${server.url}/submit/${id}?delay_seconds=3`, { method: 'POST' });
        expect(r.status).toBe(201);
      }),
    );
    const lastSubmit = Date.now();
    const pending = new Set(ids);
    while (pending.size > 0 && Date.now() - lastSubmit < 4_000) {
      await Promise.all(
        [...pending].map(async (id) => {
          const r = await fetch(`${server.url}/status/${id}`);
          const { result } = (await r.json()) as { result: string };
          expect(result).not.toBe('error');
          if (result === 'completed') pending.delete(id);
        }),
      );
      if (pending.size > 0) await sleep(100);
    }
    expect(pending.size, `${pending.size} compat jobs not completed 4 s after the last submit`).toBe(0);
    // The media job was running all along: CPU-bound work and waiting work do not share slots.
    const still = (await call(server.url, 'GET', `/v1/jobs/${media.body.id}`)).body;
    expect(still.status).toBe('running');
    await call(server.url, 'POST', `/v1/jobs/${media.body.id}/cancel`);
  });

  it("gives a small tenant's job the next free slot, behind 1,000 jobs of a big tenant", async () => {
    const server = await serve(store, [
      ...['--api-keys', `${ALPHA}:alpha,${BETA}:beta`, '--queues', 'simulate=2'],
      ...['--simulate-error-rate', '0'],
    ]);
    const submitMany = async (key: string, count: number, duration: number) => {
      for (let i = 0; i < count; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, () =>
            call(server.url, 'POST', '/v1/jobs', {
              body: { type: 'simulate', input: { duration_seconds: duration } },
              headers: auth(key),
            }),
          ),
        );
      }
    };
    await submitMany(ALPHA, 1000, 0.3);
    const small = await call(server.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 } },
      headers: auth(BETA),
    });
    expect(small.status).toBe(202);
    const done = await eventually(async () => {
      const job = (await call(server.url, 'GET', `/v1/jobs/${small.body.id}`, { headers: auth(BETA) })).body;
      return job.status === 'completed' ? job : null;
    });
    const submitted = Date.parse(done.created_at);
    const started = Date.parse(done.started_at);
    // A's jobs that started after B's job was queued and before it started: at most the one slot in turn.
    const overtaking = (await allJobs(server.url, ALPHA)).filter((j) => {
      const at = j.started_at ? Date.parse(j.started_at) : Number.NaN;
      return at > submitted && at < started;
    });
    expect(overtaking.length).toBeLessThanOrEqual(1);
    const queue = (await call(server.url, 'GET', '/v1/queues/simulate', { headers: auth(ALPHA) })).body;
    expect(queue).toMatchObject({ name: 'simulate', concurrency: 2, scope: 'tenant' });
    expect(queue.queued + queue.running).toBeGreaterThan(900);
  }, 120_000);

  it('keeps a scheduled job through a kill -9 and starts it at its run_at', async () => {
    const dataDir = tempDir('longrun-queues-');
    const args = [...storeArgs(store, dataDir), '--simulate-error-rate', '0'];
    const first = await startServer(args, { dataDir });
    servers.push(first);
    const r = await call(first.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 }, run_in_seconds: 3 },
    });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('queued');
    const runAt = Date.parse(r.body.run_at);
    expect(runAt - Date.parse(r.body.created_at)).toBeGreaterThanOrEqual(2_990);
    const second = await first.restart();
    servers.splice(servers.indexOf(first), 1, second);
    const queued = (await call(second.url, 'GET', `/v1/jobs/${r.body.id}`)).body;
    expect(queued).toMatchObject({ status: 'queued', run_at: r.body.run_at });
    const done = await eventually(async () => {
      const job = (await call(second.url, 'GET', `/v1/jobs/${r.body.id}`)).body;
      return job.status === 'completed' ? job : null;
    });
    expect(Date.parse(done.started_at)).toBeGreaterThanOrEqual(runAt);
  });

  it('pauses a queue (running jobs finish, nothing starts) and resumes it, for operators only', async () => {
    const OPERATOR = 'operator-key-01';
    const server = await serve(store, [
      ...['--api-keys', `${ALPHA}:alpha`, '--operator-keys', `${OPERATOR}:ops`, '--simulate-error-rate', '0'],
    ]);
    const refused = await call(server.url, 'POST', '/v1/queues/simulate/pause', { headers: auth(ALPHA) });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    const long = await call(server.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 1.5 } },
      headers: auth(ALPHA),
    });
    await eventually(
      async () =>
        (await call(server.url, 'GET', `/v1/jobs/${long.body.id}`, { headers: auth(ALPHA) })).body.status ===
        'running',
    );
    const paused = await call(server.url, 'POST', '/v1/queues/simulate/pause', { headers: auth(OPERATOR) });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ name: 'simulate', paused: true, running: 1, scope: 'all' });
    const waiting = await call(server.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 } },
      headers: auth(ALPHA),
    });
    await eventually(
      async () =>
        (await call(server.url, 'GET', `/v1/jobs/${long.body.id}`, { headers: auth(ALPHA) })).body.status ===
        'completed',
    );
    await sleep(1_500);
    const held = (await call(server.url, 'GET', `/v1/jobs/${waiting.body.id}`, { headers: auth(ALPHA) }))
      .body;
    expect(held.status).toBe('queued');
    const seen = (await call(server.url, 'GET', '/v1/queues', { headers: auth(ALPHA) })).body.data;
    expect(seen.find((q: { name: string }) => q.name === 'simulate')).toMatchObject({
      paused: true,
      queued: 1,
      scope: 'tenant',
    });
    const resumed = await call(server.url, 'POST', '/v1/queues/simulate/resume', { headers: auth(OPERATOR) });
    expect(resumed.body.paused).toBe(false);
    await eventually(
      async () =>
        (await call(server.url, 'GET', `/v1/jobs/${waiting.body.id}`, { headers: auth(ALPHA) })).body
          .status === 'completed',
    );
  });
}

describe('queues on SQLite', () => queueTests('sqlite'));
describePostgres('queues on PostgreSQL', () => {
  queueTests('postgres');

  it('holds a global limit across three worker processes: never more than 4 running of 100 jobs', async () => {
    const schema = uniqueSchema('glob');
    schemas.push(schema);
    const root = tempDir('longrun-glob-');
    const common = [
      ...['--database-url', PG_URL, '--database-schema', schema, '--artifacts-dir', join(root, 'artifacts')],
      ...['--simulate-error-rate', '0', '--queues', 'simulate=10/4'],
    ];
    const node = async (name: string, role: string) => {
      const s = await startServer([...common, '--role', role, '--node-name', name], {
        dataDir: join(root, name),
      });
      servers.push(s);
      return s;
    };
    const api = await node('api', 'api');
    await Promise.all(['w1', 'w2', 'w3'].map((name) => node(name, 'worker')));
    const ids = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const r = await call(api.url, 'POST', '/v1/jobs', {
          body: { type: 'simulate', input: { duration_seconds: 0.2 } },
        });
        return r.body.id as string;
      }),
    );
    let most = 0;
    for (;;) {
      const queue = (await call(api.url, 'GET', '/v1/queues/simulate')).body;
      most = Math.max(most, queue.running);
      expect(queue.running).toBeLessThanOrEqual(4);
      if (queue.queued === 0 && queue.running === 0 && queue.scheduled === 0) break;
      await sleep(25);
    }
    expect(most).toBe(4);
    const jobs = await Promise.all(
      ids.map(async (id) => (await call(api.url, 'GET', `/v1/jobs/${id}`)).body),
    );
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(100);
  }, 120_000);
});
