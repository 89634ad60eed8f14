import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { ALL_STATES } from '../../src/jobs/states.js';
import { PostgresJobStore } from '../../src/store/postgres/store.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import type { JobStore } from '../../src/store/store.js';
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

describePostgres('PostgreSQL store', () => {
  storeConformance('postgres', () => freshPgStore());

  it('answers exactly as the SQLite store does, field for field, for one scripted history', async () => {
    const t = 1_700_000_000_000;
    async function script(store: JobStore): Promise<unknown[]> {
      const out: unknown[] = [];
      const job = (id: string, over: object = {}) => ({
        id,
        tenant: 'ten',
        type: 'simulate',
        input: { z: 1, a: { y: [1, 'two', null] } },
        metadata: { b: '1', a: '2' },
        max_attempts: 2,
        now: t,
        ...over,
      });
      out.push(await store.insert(job('a')));
      out.push(await store.insert(job('b', { idempotency: { key: 'k', hash: 'h' }, now: t + 1 })));
      out.push(await store.insert(job('c', { now: t + 2 })));
      out.push(await store.insert(job('b2', { idempotency: { key: 'k', hash: 'h' }, now: t + 3 })));
      out.push(await store.insert(job('a')));
      const leases = await store.claim({ owner: 'w', leaseMs: 1000, limit: 2, now: t + 10 });
      out.push(leases.map((l) => l.job));
      const [a, b] = leases;
      out.push(await store.get('ten', 'c'));
      out.push(
        await store.report(
          a!.token,
          { progress: 40, stage: 's', message: 'm', eta: t + 99, logs: ['x', 'y'] },
          t + 11,
        ),
      );
      out.push(
        await store.finish(a!.token, 'completed', {
          output: { q: 1, p: 2 },
          report: { logs: ['z'] },
          now: t + 12,
        }),
      );
      out.push(
        await store.report(
          b!.token,
          { logs: Array.from({ length: 60 }, (_, i) => `b line ${i} "quoted" \\ ünï`) },
          t + 12,
        ),
      );
      out.push(
        await store.finish(b!.token, 'failed', {
          error: { code: 'processor_error', message: 'flaky' },
          retryAt: t + 20,
          now: t + 13,
        }),
      );
      out.push(await store.cancel('ten', 'c', t + 14));
      const [again] = await store.claim({ owner: 'w2', leaseMs: 1000, limit: 1, now: t + 20 });
      out.push(again?.job);
      out.push(await store.recover({ now: t + 5000 }));
      out.push(await store.release('nope', t + 5001));
      out.push(await store.list({ tenant: 'ten', limit: 10 }));
      out.push(await store.logs('ten', 'a', { limit: 100 }));
      out.push(await store.changedSince({ since: t, limit: 10 }));
      out.push(await store.countByStatus());
      out.push(await store.delete('ten', 'a'));
      out.push(await store.purge({ finishedBefore: t + 100_000, limit: 10 }));
      return out;
    }
    const dir = mkdtempSync(join(tmpdir(), 'longrun-diff-'));
    const sqlite = new SqliteJobStore({ filename: join(dir, 'jobs.db'), synchronous });
    await sqlite.migrate();
    const { store, dispose } = await freshPgStore();
    try {
      const fromSqlite = await script(sqlite);
      const fromPg = await script(store);
      expect(JSON.stringify(fromPg)).toBe(JSON.stringify(fromSqlite));
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
      await dispose();
    }
  });

  it('keeps the same webhook outbox as the SQLite store, snapshot for snapshot', async () => {
    const t = 1_700_000_000_000;
    const events = ['job.started', 'job.progress', 'job.completed', 'job.failed', 'job.canceled'] as const;
    async function script(store: JobStore): Promise<unknown[]> {
      const job = (id: string) => ({
        id,
        tenant: 'ten',
        type: 'simulate',
        input: { z: 1, a: { y: [1, 'two', null] } },
        metadata: { b: '1', a: '2' },
        max_attempts: 2,
        webhook: { url: 'https://hooks.example/x', events: [...events] },
        now: t,
      });
      await store.insert(job('a'));
      await store.insert(job('b'));
      // The claim writes job.started in SQL on PostgreSQL, in JS on SQLite: both must agree.
      const [lease] = await store.claim({ owner: 'w', leaseMs: 1000, limit: 1, now: t + 10 });
      await store.report(lease!.token, { progress: 30, stage: 's', logs: ['x'] }, t + 11);
      await store.finish(lease!.token, 'completed', { output: { ok: true }, now: t + 12 });
      await store.cancel('ten', 'b', t + 13);
      const [first] = await store.claimDeliveries({ leaseMs: 1000, limit: 1, now: t + 20 });
      await store.recordDelivery(
        first!.token,
        { at: t + 20, status_code: 503, error: 'HTTP 503', duration_ms: 2 },
        { outcome: 'retry', nextAttemptAt: t + 5000 },
      );
      const strip = (list: { id: string }[] | null) => list?.map(({ id: _id, ...rest }) => rest) ?? null;
      return [
        strip(await store.listDeliveries('ten', 'a')),
        strip(await store.listDeliveries('ten', 'b')),
        await store.nextDeliveryAt(),
      ];
    }
    const dir = mkdtempSync(join(tmpdir(), 'longrun-diff-'));
    const sqlite = new SqliteJobStore({ filename: join(dir, 'jobs.db'), synchronous });
    await sqlite.migrate();
    const { store, dispose } = await freshPgStore();
    try {
      const fromSqlite = await script(sqlite);
      const fromPg = await script(store);
      expect((fromSqlite[0] as unknown[]).length).toBe(3);
      expect(JSON.stringify(fromPg)).toBe(JSON.stringify(fromSqlite));
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
      await dispose();
    }
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
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
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
      const r = await store.insert({
        id: 'x',
        tenant: 't',
        type: 'simulate',
        input: {},
        metadata: {},
        max_attempts: 1,
      });
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

  it('keeps working after the server cuts its connections', async () => {
    const { store, schema, dispose } = await freshPgStore({ poolSize: 4 });
    try {
      const first = await store.insert({
        id: 'a',
        tenant: 't',
        type: 'simulate',
        input: {},
        metadata: {},
        max_attempts: 1,
      });
      expect(first.outcome).toBe('created');
      // Open several connections, then have the server end them all.
      await Promise.all([store.get('t', 'a'), store.get('t', 'a'), store.get('t', 'a'), store.get('t', 'a')]);
      expect(await terminateBackends(`longrun/${schema}`)).toBeGreaterThan(0);
      expect((await store.get('t', 'a'))?.id).toBe('a');
      const [lease] = await store.claim({ owner: 'w', leaseMs: 10_000, limit: 1 });
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
            await store.insert({
              id: `busy-${n}`,
              tenant: 't',
              type: 'simulate',
              input: {},
              metadata: {},
              max_attempts: 3,
            });
            for (const lease of await store.claim({ owner: 'w', leaseMs: 60_000, limit: 2 })) {
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
        await store.insert({
          id: `j${i}`,
          tenant: 't',
          type: 'simulate',
          input: {},
          metadata: {},
          max_attempts: 3,
        });
      }
      const now = Date.now();
      expect(await store.claim({ owner: 'dead', leaseMs: 1000, limit: 40, now })).toHaveLength(40);
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
