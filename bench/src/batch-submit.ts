/**
 * Batch submission: jobs/s and server CPU per job, submitting no-op jobs one
 * request each (`POST /v1/jobs`, 8 clients at once) against batches of 100
 * (`POST /v1/jobs/batch`, 8 clients at once), on SQLite.
 *
 * The jobs are `simulate` jobs scheduled a day ahead, so none runs: the
 * figure is the cost of accepting a job (HTTP, validation, the durable write,
 * the change feed), not of running it. Each mode gets a fresh server, so
 * neither inserts into a queue the other filled; each starts with a warm-up.
 */
import { deploy } from './lib/longrun.js';
import { runScenarioIfMain } from './lib/main.js';
import { cpuMs } from './lib/proc.js';
import type { Goal, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { fmt } from './lib/stats.js';

const CLIENTS = 8;
const BATCH = 100;
/** How many times faster batches of 100 must accept jobs than single requests. */
const GOAL_RATIO = 2;

const job = (i: number) => ({
  type: 'simulate',
  input: { duration_seconds: 0, error_rate: 0, seed: i },
  run_in_seconds: 86_400,
});

async function post(url: string, path: string, body: unknown, expected: number): Promise<string> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}

/** `units` pieces of work, taken in turn by {@link CLIENTS} concurrent clients. */
async function byClients(units: number, work: (unit: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < units) await work(next++);
    }),
  );
}

interface Measured {
  mode: 'one at a time' | `batches of ${number}`;
  jobs: number;
  requests: number;
  seconds: number;
  rate: number;
  cpuPerJobUs: number;
}

async function measure(mode: 'single' | 'batch', jobs: number): Promise<Measured> {
  const d = await deploy({ store: 'sqlite', concurrency: 1, args: ['--rate-limit-create', '0'] });
  const pid = d.server.proc.pid!;
  const submit =
    mode === 'single'
      ? (unit: number) => post(d.url, '/v1/jobs', job(unit), 202)
      : async (unit: number) => {
          const text = await post(
            d.url,
            '/v1/jobs/batch',
            { jobs: Array.from({ length: BATCH }, (_, k) => job(unit * BATCH + k)) },
            200,
          );
          const { data } = JSON.parse(text) as { data: { status: number }[] };
          if (data.some((r) => r.status !== 202)) throw new Error('a job of a batch was refused');
        };
  try {
    // Warm-up: connections, JIT, the first pages of the database.
    await byClients(mode === 'single' ? 200 : 2, async (u) => {
      await submit(1_000_000 + u);
    });
    const units = mode === 'single' ? jobs : Math.ceil(jobs / BATCH);
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    await byClients(units, async (u) => {
      await submit(u);
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuMs(pid) - cpu0;
    return {
      mode: mode === 'single' ? 'one at a time' : `batches of ${BATCH}`,
      jobs,
      requests: units,
      seconds,
      rate: jobs / seconds,
      cpuPerJobUs: (cpu * 1000) / jobs,
    };
  } finally {
    await d.stop();
  }
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const jobs = quick ? 1000 : 2000;
  const single = await measure('single', jobs);
  const batch = await measure('batch', jobs);
  const ratio = batch.rate / single.rate;
  const goals: Goal[] = [
    {
      goal: `longrun/SQLite: batches of ${BATCH} accept >= ${GOAL_RATIO}x the jobs/s of one request per job`,
      met: ratio >= GOAL_RATIO,
      figure: `${fmt(ratio, 2)}x (${fmt(batch.rate, 0)} vs ${fmt(single.rate, 0)} jobs/s; server CPU ${fmt(batch.cpuPerJobUs, 0)} vs ${fmt(single.cpuPerJobUs, 0)} µs/job)`,
    },
  ];
  return {
    name: 'batch-submit',
    rows: [single, batch].map((m) => ({
      what: `longrun/SQLite, ${m.mode}`,
      jobs: m.jobs,
      requests: m.requests,
      seconds: Number(fmt(m.seconds, 2)),
      'jobs/s': Number(fmt(m.rate, 0)),
      'server CPU µs/job': Number(fmt(m.cpuPerJobUs, 0)),
    })),
    goals,
    method:
      `${jobs} no-op \`simulate\` jobs, scheduled a day ahead so that none runs, submitted by ${CLIENTS} concurrent ` +
      `clients in this process: one \`POST /v1/jobs\` per job, then (on a fresh server) \`POST /v1/jobs/batch\` ` +
      `with ${BATCH} jobs each. One longrun server process on SQLite (\`synchronous=full\`: every request is ` +
      'answered after its fsync), after a warm-up. Server CPU is user + system time from /proc over the ' +
      'measured part, divided by the jobs.',
  };
}

runScenarioIfMain(import.meta.url, run);
