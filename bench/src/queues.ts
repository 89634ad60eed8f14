/**
 * Queues: what fair turns, schedules and the fair claim cost.
 *
 * 1. Fairness: tenant A queues many short jobs in a queue of concurrency 2,
 *    then tenant B submits one. B's wait (queued to started) beside the wait a
 *    first-in-first-out line would give it (A's jobs ahead of it x job time /
 *    slots).
 * 2. Scheduled starts: 100 jobs scheduled 2 s ahead; the lag from each
 *    `run_at` to its attempt's start, p50 and p99.
 * 3. Claim cost: one claim of 10 jobs, with 100,000 jobs queued across 100
 *    tenants, beside the same claim with all of them one tenant's (the order
 *    then is the plain oldest-first of a FIFO queue), in the store itself.
 *
 * Real server processes for 1 and 2; the stores in this process for 3, on
 * SQLite and on PostgreSQL.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type JobStore, PostgresJobStore, SqliteJobStore } from '@longrun/server';
import { removeDir, tempDir } from '@longrun/testkit';
import Database from 'better-sqlite3';
import pg from 'pg';
import { send } from './lib/http.js';
import { type Deployment, deploy } from './lib/longrun.js';
import { runIfMain } from './lib/main.js';
import { databaseUrl, dropSchema, freshSchema } from './lib/postgres.js';
import type { Goal, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { listening } from './lib/services.js';
import { fmt, quantile } from './lib/stats.js';

type Store = 'sqlite' | 'postgres';
type Row = Record<string, string | number>;

const ALPHA = 'bench-alpha-key';
const BETA = 'bench-beta-key-';
const JOB_SECONDS = 0.1;

async function json(url: string, init: Parameters<typeof send>[1] = {}): Promise<Record<string, unknown>> {
  const r = await send(url, init);
  if (r.status >= 400) throw new Error(`${init.method ?? 'GET'} ${url}: ${r.status} ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

async function untilDone(d: Deployment, id: string, key?: string): Promise<Record<string, string>> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  for (;;) {
    const job = (await json(`${d.url}/v1/jobs/${id}?wait=30`, { headers })) as Record<string, string>;
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'canceled') return job;
  }
}

async function fairness(store: Store, bigJobs: number): Promise<Row> {
  const d = await deploy({
    store,
    concurrency: 2,
    args: ['--api-keys', `${ALPHA}:alpha,${BETA}:beta`, '--queues', 'simulate=2', '--rate-limit-create', '0'],
  });
  try {
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const body = { type: 'simulate', input: { duration_seconds: JOB_SECONDS, error_rate: 0 } };
    for (let i = 0; i < bigJobs; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, bigJobs - i) }, () =>
          json(`${d.url}/v1/jobs`, { method: 'POST', body, headers: as(ALPHA) }),
        ),
      );
    }
    const ahead = (await json(`${d.url}/v1/queues/simulate`, { headers: as(ALPHA) })) as Record<
      string,
      number
    >;
    const small = await json(`${d.url}/v1/jobs`, { method: 'POST', body, headers: as(BETA) });
    const done = await untilDone(d, String(small.id), BETA);
    const waited = Date.parse(done.started_at!) - Date.parse(done.created_at!);
    const fifo = ((ahead.queued! + ahead.running!) * JOB_SECONDS * 1000) / 2;
    return {
      system: `longrun/${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
      "big tenant's jobs ahead": ahead.queued! + ahead.running!,
      'small tenant wait (ms)': waited,
      'FIFO wait (ms)': Math.round(fifo),
    };
  } finally {
    await d.stop();
  }
}

async function scheduled(store: Store, jobs: number): Promise<{ row: Row; p99: number }> {
  // Slots for every job: what is measured is the wait for the clock, not for a free slot.
  const d = await deploy({ store, concurrency: 4, args: ['--wait-concurrency', '500'] });
  try {
    const ids = await Promise.all(
      Array.from({ length: jobs }, async () => {
        const job = await json(`${d.url}/v1/jobs`, {
          method: 'POST',
          body: { type: 'simulate', input: { duration_seconds: 0, error_rate: 0 }, run_in_seconds: 2 },
        });
        return { id: String(job.id), runAt: Date.parse(String(job.run_at)) };
      }),
    );
    const lags = await Promise.all(
      ids.map(async ({ id, runAt }) => Date.parse((await untilDone(d, id)).started_at!) - runAt),
    );
    const p99 = quantile(lags, 0.99);
    return {
      row: {
        system: `longrun/${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
        jobs,
        'lag p50 (ms)': quantile(lags, 0.5),
        'lag p99 (ms)': p99,
        'lag max (ms)': Math.max(...lags),
      },
      p99,
    };
  } finally {
    await d.stop();
  }
}

/** The mean time of one claim of 10, over `rounds` claims; each claim's jobs are then completed. */
async function timeClaims(store: JobStore, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const leases = await store.claim({ queue: 'bench', owner: 'bench', leaseMs: 60_000, limit: 10 });
    times.push(performance.now() - t0);
    if (leases.length !== 10) throw new Error(`a claim took ${leases.length} jobs, not 10`);
    for (const l of leases) await store.finish(l.token, 'completed', { output: {} });
  }
  return times.reduce((a, b) => a + b, 0) / times.length;
}

/** `jobs` queued jobs in queue `bench`, spread over `tenants` tenants, written in one statement. */
async function fill(store: Store, where: string, jobs: number, tenants: number): Promise<void> {
  const t = Date.now() - 3_600_000;
  if (store === 'sqlite') {
    const db = new Database(where);
    try {
      db.prepare(
        `WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)
         INSERT INTO jobs (tenant, id, type, queue, priority, status, input, metadata, max_attempts,
                           created_at, updated_at, run_at)
         SELECT 't' || (n % ?), 'j' || n, 'simulate', 'bench', 0, 'queued', '{}', '{}', 3, ? + n, ? + n, ? + n FROM i`,
      ).run(jobs, tenants, t, t, t);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO ${pg.escapeIdentifier(where)}.jobs (tenant, id, type, queue, priority, status, input, metadata,
         max_attempts, created_at, updated_at, run_at)
       SELECT 't' || (n % $2), 'j' || n, 'simulate', 'bench', 0, 'queued', '{}', '{}', 3, $3::bigint + n, $3::bigint + n, $3::bigint + n
       FROM generate_series(1, $1) n`,
      [jobs, tenants, t],
    );
    await client.query(`ANALYZE ${pg.escapeIdentifier(where)}.jobs`);
  } finally {
    await client.end();
  }
}

async function claimCost(store: Store, jobs: number, tenants: number, rounds: number): Promise<number> {
  const dir = tempDir('longrun-bench-claim-');
  const schema = freshSchema('claim');
  let s: JobStore | null = null;
  try {
    if (store === 'sqlite') {
      const file = join(dir, 'longrun.db');
      s = new SqliteJobStore({ filename: file, synchronous: 'full' });
      await s.migrate();
      await fill(store, file, jobs, tenants);
    } else {
      s = new PostgresJobStore({ connectionString: databaseUrl, schema, poolSize: 4 });
      await s.migrate();
      await fill(store, schema, jobs, tenants);
    }
    return await timeClaims(s, rounds);
  } finally {
    await s?.close();
    if (store === 'postgres') await dropSchema(schema);
    removeDir(dir);
  }
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const stores: Store[] = (await listening(5432)) ? ['sqlite', 'postgres'] : ['sqlite'];
  const bigJobs = quick ? 200 : 1000;
  const queued = quick ? 20_000 : 100_000;
  const rounds = quick ? 50 : 200;
  const rows: Row[] = [];
  const goals: Goal[] = [];
  for (const store of stores) {
    const fair = await fairness(store, bigJobs);
    rows.push({ measure: 'fairness', ...fair });
    const waited = Number(fair['small tenant wait (ms)']);
    goals.push({
      goal: `${fair.system}: a small tenant behind ${bigJobs} jobs of a big one waits at most one job turnover (${JOB_SECONDS * 1000} ms x 2)`,
      met: waited <= JOB_SECONDS * 1000 * 2,
      figure: `${waited} ms (FIFO: ${fair['FIFO wait (ms)']} ms)`,
    });
  }
  for (const store of stores) {
    const { row, p99 } = await scheduled(store, 100);
    rows.push({ measure: 'scheduled start', ...row });
    goals.push({
      goal: `${row.system}: a job scheduled 2 s ahead starts within 100 ms of its run_at (p99 of 100)`,
      met: p99 <= 100,
      figure: `p99 ${fmt(p99, 0)} ms`,
    });
  }
  for (const store of stores) {
    const fairMs = await claimCost(store, queued, 100, rounds);
    const fifoMs = await claimCost(store, queued, 1, rounds);
    const system = `longrun/${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`;
    rows.push({
      measure: 'claim of 10',
      system,
      'queued jobs': queued,
      '100 tenants (ms)': Number(fmt(fairMs, 2)),
      '1 tenant, FIFO order (ms)': Number(fmt(fifoMs, 2)),
    });
    goals.push({
      goal: `${system}: a fair claim of 10 among ${queued} jobs of 100 tenants costs at most 5x the FIFO claim`,
      met: fairMs <= fifoMs * 5,
      figure: `${fmt(fairMs / fifoMs, 2)}x (${fmt(fairMs, 2)} vs ${fmt(fifoMs, 2)} ms)`,
    });
  }
  return {
    name: 'queues',
    rows,
    goals,
    method:
      `Fairness: tenant A submits ${bigJobs} simulate jobs of ${JOB_SECONDS} s to a queue of concurrency 2, then ` +
      "tenant B one; B's wait is from its created_at to its started_at, beside what a FIFO line would give it " +
      "(A's queued and running jobs x job time / 2 slots). Scheduled start: 100 jobs with run_in_seconds 2, lag " +
      `from run_at to started_at. Claim of 10: the store's claim in this process, timed over ${rounds} claims ` +
      `(each claim's jobs then completed), with ${queued} queued jobs spread over 100 tenants, and the same ` +
      'with one tenant, whose turns are plain oldest-first.',
  };
}

async function main(): Promise<void> {
  const result = await run({ quick: process.argv.includes('--quick') });
  console.table(result.rows);
  for (const g of result.goals) console.log(`${g.met ? 'MET   ' : 'MISSED'} ${g.goal}: ${g.figure}`);
}

runIfMain(import.meta.url, main);
