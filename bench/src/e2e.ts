/**
 * End-to-end benchmark: real server processes, real HTTP, no-op `simulate`
 * jobs (duration 0, error rate 0), on SQLite and on PostgreSQL in one run.
 *
 *   npm run bench:e2e                 full run; writes the table into docs/benchmarks.md
 *   npm run bench:e2e -- --quick      a short run (one round); prints only
 *   --rounds N                        rounds, each running every setup in turn (default 3)
 *   --database-url postgres://…       (else BENCH_DATABASE_URL, TEST_DATABASE_URL, or the local default)
 *   --profile DIR                     run the servers with --cpu-prof into DIR
 *
 * (a) throughput: CLIENTS clients each submit with `Prefer: wait=60`, so one
 *     request covers submitted, run, completed and the submitter notified;
 * (b) latency: LATENCY_JOBS jobs one after another, from the POST to the
 *     terminal event on the job's SSE stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type RunningProcess as Server, startServer } from '@longrun/testkit';
import { closeConnections, send, submitAndWait, terminalEvent } from './lib/http.js';
import { adminQuery, databaseUrl as defaultDatabaseUrl, dropSchema, freshSchema } from './lib/postgres.js';
import { markdownTable, replaceSection } from './lib/report.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    profile: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const quick = values.quick;
const databaseUrl = values['database-url'] ?? defaultDatabaseUrl;
/**
 * The machine is shared and noisy, so every setup runs once per round, the
 * setups taking turns: a burst of outside load then hits all of them alike.
 */
const ROUNDS = Number(values.rounds ?? (quick ? 1 : 3));
const THROUGHPUT_JOBS = quick ? 400 : 3000;
const CLIENTS = 64;
const LATENCY_JOBS = quick ? 200 : 1000;
const WARMUP = 100;
/** Worker slots per worker process. */
const CONCURRENCY = 32;
const JOB = { type: 'simulate', input: { duration_seconds: 0, error_rate: 0 } };

interface Deployment {
  /** Where jobs are submitted and waited on. */
  url: string;
  stop(): Promise<void>;
}

interface Setup {
  store: string;
  processes: string;
  start(): Promise<Deployment>;
}

interface Row {
  store: string;
  processes: string;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const common = [
  '--simulate-error-rate',
  '0',
  '--concurrency',
  String(CONCURRENCY),
  '--wait-concurrency',
  String(CONCURRENCY),
  '--retention',
  '0',
];

function sqlite(): Setup {
  return {
    store: 'SQLite',
    processes: '1 (all)',
    async start() {
      const dir = mkdtempSync(join(os.tmpdir(), 'longrun-bench-'));
      const server = await startServer([...common, '--data-dir', dir], { nodeArgs, dataDir: false });
      return {
        url: server.url,
        async stop() {
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function postgres(split: boolean): Setup {
  return {
    store: 'PostgreSQL',
    processes: split ? '2 (api + worker)' : '1 (all)',
    async start() {
      const dir = mkdtempSync(join(os.tmpdir(), 'longrun-bench-'));
      const schema = freshSchema('bench');
      const db = [
        '--database-url',
        databaseUrl,
        '--database-schema',
        schema,
        '--artifacts-dir',
        join(dir, 'art'),
      ];
      const servers: Server[] = [];
      try {
        if (split) {
          servers.push(
            await startServer([...common, ...db, '--role', 'api', '--data-dir', join(dir, 'a')], {
              nodeArgs,
              dataDir: false,
            }),
          );
          servers.push(
            await startServer([...common, ...db, '--role', 'worker', '--data-dir', join(dir, 'w')], {
              nodeArgs,
              dataDir: false,
            }),
          );
        } else {
          servers.push(
            await startServer([...common, ...db, '--data-dir', dir], { nodeArgs, dataDir: false }),
          );
        }
      } catch (err) {
        for (const s of servers) await s.stop();
        throw err;
      }
      return {
        url: servers[0]!.url,
        async stop() {
          for (const s of servers) await s.stop();
          await dropSchema(schema, databaseUrl);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

async function throughput(url: string, jobs: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < jobs) {
        next += 1;
        await submitAndWait(url, JOB);
      }
    }),
  );
  return jobs / ((performance.now() - started) / 1000);
}

async function latencies(url: string, jobs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const t0 = performance.now();
    const r = await send(`${url}/v1/jobs`, { method: 'POST', body: JOB });
    if (r.status !== 202) throw new Error(`submit answered ${r.status}: ${r.body.slice(0, 200)}`);
    const { id } = JSON.parse(r.body) as { id: string };
    const status = await terminalEvent(`${url}/v1/jobs/${encodeURIComponent(id)}/events`);
    out.push(performance.now() - t0);
    if (status !== 'completed') throw new Error(`job ${id} ended ${status}`);
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** One round of one setup on a fresh deployment: its throughput and its latency samples. */
async function run(setup: Setup): Promise<{ throughput: number; latencies: number[] }> {
  const deployment = await setup.start();
  try {
    await throughput(deployment.url, WARMUP);
    const jobsPerSecond = await throughput(deployment.url, THROUGHPUT_JOBS);
    await latencies(deployment.url, Math.min(50, LATENCY_JOBS));
    return { throughput: jobsPerSecond, latencies: await latencies(deployment.url, LATENCY_JOBS) };
  } finally {
    await deployment.stop();
    closeConnections();
  }
}

/** Throughput: the median of the rounds; latency: percentiles of every sample of every round. */
function summarize(setup: Setup, rounds: { throughput: number; latencies: number[] }[]): Row {
  const rates = rounds.map((r) => r.throughput).sort((a, b) => a - b);
  const sorted = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    store: setup.store,
    processes: setup.processes,
    throughput: rates[Math.floor(rates.length / 2)]!,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1)!,
  };
}

function table(rows: Row[]): string {
  return markdownTable(
    [
      'store',
      'server processes',
      'throughput (jobs/s)',
      'SSE latency p50 (ms)',
      'p90 (ms)',
      'p99 (ms)',
      'max (ms)',
    ],
    rows.map((r) => [
      r.store,
      r.processes,
      r.throughput.toFixed(0),
      r.p50.toFixed(1),
      r.p90.toFixed(1),
      r.p99.toFixed(1),
      r.max.toFixed(1),
    ]),
    [false, false, true, true, true, true, true],
  );
}

async function machine(pgVersion: string | null): Promise<string> {
  const cpus = os.cpus();
  return [
    `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `${os.type()} ${os.release()}, Node ${process.version}`,
    pgVersion
      ? `PostgreSQL ${pgVersion} on the same machine (default settings)`
      : 'PostgreSQL: not reachable',
    'client, server processes and database share the cores; SQLite with synchronous=FULL',
  ].join('; ');
}

function writeDocs(rows: Row[], described: string): void {
  const file = new URL('../../docs/benchmarks.md', import.meta.url);
  const section = [
    '## End to end',
    '',
    `Real server processes on loopback, no-op \`simulate\` jobs (\`duration_seconds: 0, error_rate: 0\`), ` +
      `${CONCURRENCY} worker slots per worker process, retention off.`,
    `Each setup runs on a fresh deployment once per round, ${ROUNDS} rounds, the setups taking turns.`,
    `Throughput (median of the rounds): ${THROUGHPUT_JOBS} jobs from ${CLIENTS} concurrent clients, each job one ` +
      '`POST /v1/jobs` with `Prefer: wait=60` (submitted, run, completed, and the submitter told), after a warm-up.',
    `Latency (all ${ROUNDS * LATENCY_JOBS} samples): ${LATENCY_JOBS} jobs per round one after another, from sending ` +
      'the POST to receiving the terminal event on ' +
      '`GET /v1/jobs/{id}/events`. With two processes the job runs in the worker process and the event reaches ' +
      'the API process through LISTEN/NOTIFY.',
    '',
    table(rows),
    '',
    `Machine: ${described}.`,
    '',
    `Command: \`npm run bench:e2e\` (${new Date().toISOString().slice(0, 10)}); \`-- --quick\` for a short run.`,
    '',
  ].join('\n');
  replaceSection(file, 'End to end', section);
}

async function main(): Promise<void> {
  let pgVersion: string | null = null;
  try {
    pgVersion = (await adminQuery('SHOW server_version', databaseUrl)).rows[0].server_version as string;
  } catch (err) {
    console.warn(`PostgreSQL at ${databaseUrl} cannot be reached (${(err as Error).message}); SQLite only.`);
  }
  const setups = [sqlite(), ...(pgVersion ? [postgres(false), postgres(true)] : [])];
  const results = setups.map(() => [] as { throughput: number; latencies: number[] }[]);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, setup] of setups.entries()) {
      process.stdout.write(`round ${round}/${ROUNDS}: ${setup.store}, ${setup.processes} ... `);
      const result = await run(setup);
      results[i]!.push(result);
      const one = summarize(setup, [result]);
      process.stdout.write(
        `${one.throughput.toFixed(0)} jobs/s, p50 ${one.p50.toFixed(1)} ms, p99 ${one.p99.toFixed(1)} ms\n`,
      );
    }
  }
  const rows = setups.map((setup, i) => summarize(setup, results[i]!));
  const described = await machine(pgVersion);
  console.log(`\n${table(rows)}\n\n${described}`);
  if (quick) console.log('\n--quick: docs/benchmarks.md left as it is.');
  else {
    writeDocs(rows, described);
    console.log('\nWritten to docs/benchmarks.md ("End to end").');
  }
}

await main();
