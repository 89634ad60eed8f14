/**
 * How fast and how cheaply a client learns that a job ended: for `simulate`
 * jobs of 0.5, 2, 10 and 30 s, the HTTP requests per job and the lag from the
 * job's `finished_at` to the moment the wait returned, for each transport of
 * `@longrun/client`'s wait() and for naive fixed-interval polling beside it.
 *
 *   npm run bench:wait                full run; writes the table into docs/benchmarks.md ("Waiting")
 *   npm run bench:wait -- --quick     a short run (0.5 s and 2 s jobs, fewer of them); prints only
 *
 * Every wait of one duration runs at the same time against one real server
 * process (SQLite, synchronous=FULL), so the run stays about as long as the
 * longest job, and every strategy meets the same load.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type Fetch, type Job, Longrun, type WaitStrategy } from '@longrun/client';
import { countingFetch, startServer } from '@longrun/testkit';
import { runIfMain } from './lib/main.js';
import { markdownTable, replaceSection } from './lib/report.js';
import { fmt, quantile } from './lib/stats.js';

type Strategy =
  | { name: string; kind: 'sdk'; strategy: Exclude<WaitStrategy, 'auto'> }
  | { name: string; kind: 'fixed'; intervalMs: number };

const STRATEGIES: Strategy[] = [
  { name: 'SSE', kind: 'sdk', strategy: 'sse' },
  { name: 'long-poll', kind: 'sdk', strategy: 'long-poll' },
  { name: 'adaptive polling', kind: 'sdk', strategy: 'poll' },
  { name: 'fixed polling 1 s', kind: 'fixed', intervalMs: 1000 },
  { name: 'fixed polling 100 ms', kind: 'fixed', intervalMs: 100 },
];

/** Between the starts of two jobs of one duration. */
const START_SPACING_MS = 37;
/**
 * Jobs per strategy and duration: the pushed transports get enough for their
 * p99 to be a real 99th percentile (the second slowest of 100), not the slowest
 * of a dozen; each poller costs the server many requests, so it gets fewer.
 */
const SAMPLES = {
  full: { pushed: 100, polled: 12 },
  quick: { pushed: 10, polled: 4 },
};
type Samples = (typeof SAMPLES)['full'];
const isPushed = (s: Strategy) => s.kind === 'sdk' && s.strategy !== 'poll';

interface Sample {
  requests: number;
  lagMs: number;
}

export interface BenchResult {
  name: string;
  rows: Array<Record<string, string | number>>;
  goals: Array<{ goal: string; met: boolean; figure: string }>;
}

/** The naive client: from the create reply, sleep `intervalMs`, GET the job, until it ends. */
async function fixedPoll(baseUrl: string, id: string, intervalMs: number, fetch: Fetch): Promise<Job> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const r = await fetch(`${baseUrl}/v1/jobs/${encodeURIComponent(id)}`);
    const job = (await r.json()) as Job;
    if (['completed', 'failed', 'canceled'].includes(job.status)) return job;
  }
}

/** Wait for `created` (the create reply) and measure what it cost. */
async function measure(baseUrl: string, strategy: Strategy, created: Job): Promise<Sample> {
  const counter = countingFetch();
  const job =
    strategy.kind === 'sdk'
      ? await new Longrun({ baseUrl, fetch: counter.fetch }).jobs.wait(created, {
          strategy: strategy.strategy,
          timeoutMs: 120_000,
        })
      : await fixedPoll(baseUrl, created.id, strategy.intervalMs, counter.fetch);
  const lagMs = Date.now() - Date.parse(job.finished_at!);
  if (job.status !== 'completed') throw new Error(`job ${created.id} ended ${job.status}`);
  return { requests: counter.count(), lagMs };
}

/**
 * The server's SQLite sync mode for each part of the run: `full` (the default:
 * a job's end is on disk before anyone hears of it, so every lag holds an
 * fsync) for all strategies, `normal` for the pushed transports, to show the
 * transport's own lag beside the disk's.
 */
const PHASES: Array<{ sync: 'full' | 'normal'; strategies: Strategy[] }> = [
  { sync: 'full', strategies: STRATEGIES },
  { sync: 'normal', strategies: STRATEGIES.filter(isPushed) },
];

async function phase(
  sync: string,
  strategies: Strategy[],
  { durations, counts }: { durations: number[]; counts: Samples },
  samples: Map<string, Sample[]>,
): Promise<void> {
  const server = await startServer([
    '--concurrency',
    '512',
    '--wait-concurrency',
    '512',
    '--simulate-error-rate',
    '0',
    '--sqlite-synchronous',
    sync,
  ]);
  try {
    const client = new Longrun({ baseUrl: server.url });
    // Warm up the server's code paths and the connection pool.
    await Promise.all(
      Array.from({ length: 5 }, () => client.run('simulate', { duration_seconds: 0.1, error_rate: 0 })),
    );
    for (const duration of durations) {
      // The strategies take turns and the starts are spread out, so that every strategy meets the
      // same load and the jobs end one by one, as independent jobs do, not all in the same millisecond.
      const most = Math.max(counts.pushed, counts.polled);
      const runs = Array.from({ length: most }, (_, i) =>
        strategies.filter((s) => i < (isPushed(s) ? counts.pushed : counts.polled)),
      ).flat();
      const results = await Promise.all(
        runs.map(async (strategy, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * START_SPACING_MS));
          const job = await client.jobs.create({
            type: 'simulate',
            input: { duration_seconds: duration, error_rate: 0 },
          });
          return { strategy, sample: await measure(server.url, strategy, job) };
        }),
      );
      for (const { strategy, sample } of results) {
        const key = `${sync}|${duration}|${strategy.name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
      }
      process.stderr.write(`synchronous=${sync}: ${duration} s jobs done\n`);
    }
  } finally {
    await server.close();
  }
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const durations = quick ? [0.5, 2] : [0.5, 2, 10, 30];
  const counts = quick ? SAMPLES.quick : SAMPLES.full;
  const samples = new Map<string, Sample[]>();
  for (const { sync, strategies } of PHASES) {
    await phase(sync, strategies, { durations, counts }, samples);
  }

  const stat = (sync: string, duration: number, name: string) => {
    const list = samples.get(`${sync}|${duration}|${name}`) ?? [];
    const lags = list.map((s) => s.lagMs);
    return {
      jobs: list.length,
      requests: list.reduce((sum, s) => sum + s.requests, 0) / Math.max(1, list.length),
      maxRequests: Math.max(...list.map((s) => s.requests)),
      p50: quantile(lags, 0.5),
      p99: quantile(lags, 0.99),
    };
  };
  const rows: Array<Record<string, string | number>> = [];
  for (const { sync, strategies } of PHASES) {
    for (const duration of durations) {
      for (const strategy of strategies) {
        const s = stat(sync, duration, strategy.name);
        rows.push({
          'SQLite sync': sync,
          'job (s)': duration,
          strategy: strategy.name,
          jobs: s.jobs,
          'requests/job': fmt(s.requests, 2),
          'lag p50 (ms)': s.p50,
          'lag p99 (ms)': s.p99,
        });
      }
    }
  }

  const goals: BenchResult['goals'] = [];
  for (const sync of ['full', 'normal']) {
    for (const name of ['SSE', 'long-poll']) {
      const per = durations.map((d) => ({ d, ...stat(sync, d, name) }));
      const worstLag = Math.max(...per.map((p) => p.p99));
      const worstRequests = Math.max(...per.map((p) => p.maxRequests));
      goals.push({
        goal: `${name} (synchronous=${sync}): p99 lag <= 10 ms, <= 3 requests per job, at every duration`,
        met: worstLag <= 10 && worstRequests <= 3,
        figure: `p99 ${per.map((p) => `${p.p99} ms at ${p.d} s`).join(', ')}; at most ${worstRequests} requests`,
      });
    }
  }
  const adaptive = durations.map((d) => ({
    d,
    ...stat('full', d, 'adaptive polling'),
    fixed: stat('full', d, 'fixed polling 1 s'),
  }));
  goals.push({
    goal: 'adaptive polling: p99 lag <= 10% of the job duration',
    met: adaptive.every((a) => a.p99 <= a.d * 100),
    figure: adaptive
      .map((a) => `${a.d} s: p99 ${a.p99} ms (${fmt((a.p99 / (a.d * 1000)) * 100, 1)}%)`)
      .join(', '),
  });
  const long = adaptive.filter((a) => a.d >= 2);
  goals.push({
    goal: 'adaptive polling: fewer requests than 1-s polling for jobs of 2 s or more',
    met: long.every((a) => a.requests < a.fixed.requests),
    figure: long.map((a) => `${a.d} s: ${fmt(a.requests, 2)} vs ${fmt(a.fixed.requests, 2)}`).join(', '),
  });
  return { name: 'Waiting', rows, goals };
}

function render(result: BenchResult, counts: Samples): string {
  const header = Object.keys(result.rows[0] ?? {});
  const table = markdownTable(
    header,
    result.rows.map((r) => header.map((h) => String(r[h]))),
    header.map((h) => h !== 'strategy' && h !== 'SQLite sync'),
  );
  const goals = markdownTable(
    ['goal', 'met', 'figure'],
    result.goals.map((g) => [g.goal, g.met ? 'yes' : 'NO', g.figure]),
    [false, false, false],
  );
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    '## Waiting',
    '',
    'How soon, and at what cost, a client learns that a job ended. `simulate` jobs (error rate 0) of each ' +
      `duration, ${counts.pushed} per pushed transport (SSE, long-poll) and ${counts.polled} per poller; ` +
      'the waits of one duration run at the same time, their starts ' +
      `${START_SPACING_MS} ms apart with the strategies taking turns, against one server process on loopback ` +
      '(SQLite, 512 worker slots). Requests: the HTTP requests of the wait, counted by a wrapping `fetch` (the ' +
      "create is not counted). Lag: from the job's `finished_at` to the moment the wait returned; `finished_at` is " +
      'stamped before the write that ends the job is committed, so with `synchronous=full` (the default) every lag ' +
      'holds the fsync that makes the end durable before it is published; `normal` shows the transports without it. ' +
      `p99 is nearest-rank: sample ${Math.ceil(0.99 * counts.pushed)} of ${counts.pushed} in order for the pushed ` +
      `transports, ${Math.ceil(0.99 * counts.polled)} of ${counts.polled} (the slowest) for the pollers.`,
    '',
    'SSE, long-poll and adaptive polling are `client.jobs.wait(job, { strategy })` of `@longrun/client`, given the ' +
      'create reply; the fixed pollers sleep 1 s or 100 ms, then GET the job, until it ends.',
    '',
    table,
    '',
    goals,
    '',
    `Machine: ${cpu}, ${os.cpus().length} cores; Node ${process.version}; client and server share the cores ` +
      `with other work (load average ${os.loadavg()[0]!.toFixed(1)} at the end of the run).`,
    '',
    `Command: \`npm run bench:wait\` (${new Date().toISOString().slice(0, 10)}); \`-- --quick\` for a short run.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const quick = values.quick ?? false;
  const result = await run({ quick });
  const text = render(result, quick ? SAMPLES.quick : SAMPLES.full);
  console.log(text);
  if (quick) console.log('--quick: docs/benchmarks.md left as it is.');
  else {
    replaceSection(new URL('../../docs/benchmarks.md', import.meta.url), 'Waiting', text);
    console.log('Written to docs/benchmarks.md ("Waiting").');
  }
}

runIfMain(import.meta.url, main);
