/**
 * Throughput: no-op jobs end to end (submitted, run, completed, and the
 * submitter told), the same job count, submitters and worker slots for every
 * system, the systems taking turns within each round.
 */
import { performance } from 'node:perf_hooks';
import { closeConnections, submitAndWait } from './lib/http.js';
import { deploy } from './lib/longrun.js';
import { bullmq, type PeerQueue, pgBoss } from './lib/peers.js';
import { cpuMs } from './lib/proc.js';
import type { ChartPanel, Goal, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { listening } from './lib/services.js';
import { ratio as formatRatio } from './lib/stats.js';

const CLIENTS = 64;
const CONCURRENCY = 32;
const JOB = { type: 'simulate', input: { duration_seconds: 0, error_rate: 0 } };

interface Measured {
  rate: number;
  /** longrun: the server process's CPU time per job, in microseconds. */
  cpuPerJob?: number;
}

interface System {
  name: string;
  store: string;
  /** Run `jobs` jobs from CLIENTS submitters after a warm-up. */
  measure(jobs: number, warmup: number): Promise<Measured>;
}

/** CLIENTS loops, each submitting and awaiting one job at a time, until `jobs` are done; jobs/s. */
async function drive(jobs: number, one: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < jobs) {
        next += 1;
        await one();
      }
    }),
  );
  return jobs / ((performance.now() - t0) / 1000);
}

function longrun(store: 'sqlite' | 'postgres', sqliteSynchronous: 'full' | 'normal' = 'full'): System {
  const relaxed = sqliteSynchronous === 'normal';
  return {
    name:
      store === 'postgres'
        ? 'longrun (PostgreSQL)'
        : relaxed
          ? 'longrun (SQLite, no fsync)'
          : 'longrun (SQLite)',
    store: store === 'postgres' ? 'PostgreSQL' : relaxed ? 'SQLite, synchronous=NORMAL' : 'SQLite',
    async measure(jobs, warmup) {
      const d = await deploy({ store, concurrency: CONCURRENCY, sqliteSynchronous });
      // One request per job: `Prefer: wait` holds the reply until the job is terminal.
      const one = () => submitAndWait(d.url, JOB);
      try {
        await drive(warmup, one);
        const cpu0 = cpuMs(d.server.proc.pid!);
        const rate = await drive(jobs, one);
        return { rate, cpuPerJob: ((cpuMs(d.server.proc.pid!) - cpu0) * 1000) / jobs };
      } finally {
        closeConnections();
        await d.stop();
      }
    },
  };
}

function peer(name: string, store: string, open: (concurrency: number) => Promise<PeerQueue>): System {
  return {
    name,
    store,
    async measure(jobs, warmup) {
      const q = await open(CONCURRENCY);
      const one = async () => {
        const { done } = await q.add();
        await done;
      };
      try {
        await drive(warmup, one);
        await q.settle();
        const t0 = performance.now();
        await drive(jobs, one);
        await q.settle();
        return { rate: jobs / ((performance.now() - t0) / 1000) };
      } finally {
        await q.close();
      }
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const jobs = quick ? 500 : 3000;
  const warmup = quick ? 100 : 300;
  const rounds = quick ? 1 : 3;
  const redis = await listening(6379);
  const postgres = await listening(5432);
  const systems: System[] = [longrun('sqlite'), longrun('sqlite', 'normal')];
  if (postgres) systems.push(longrun('postgres'));
  if (redis) {
    systems.push(peer('BullMQ', 'Redis', bullmq));
    systems.push(peer('BullMQ, QueueEvents', 'Redis', (c) => bullmq(c, { queueEvents: true })));
  }
  if (postgres) systems.push(peer('pg-boss', 'PostgreSQL', pgBoss));

  const rates = systems.map(() => [] as number[]);
  const cpu = systems.map(() => [] as number[]);
  for (let round = 1; round <= rounds; round++) {
    for (const [i, s] of systems.entries()) {
      const m = await s.measure(jobs, warmup);
      rates[i]!.push(m.rate);
      if (m.cpuPerJob !== undefined) cpu[i]!.push(m.cpuPerJob);
      const cpuNote = m.cpuPerJob === undefined ? '' : `, server CPU ${m.cpuPerJob.toFixed(0)} µs/job`;
      console.log(`  round ${round}/${rounds} ${s.name}: ${m.rate.toFixed(0)} jobs/s${cpuNote}`);
    }
  }
  const result = systems.map((s, i) => ({
    system: s,
    rate: median(rates[i]!),
    all: rates[i]!,
    cpuPerJob: cpu[i]!.length > 0 ? median(cpu[i]!) : undefined,
  }));
  const peers = result.filter((r) => !r.system.name.startsWith('longrun'));
  const bestPeer = Math.max(0, ...peers.map((p) => p.rate));
  const rateOf = (name: string) => result.find((r) => r.system.name === name)?.rate;

  const goals: Goal[] = [];
  const ratioGoal = (ours: string, theirs: string, label: string) => {
    const a = rateOf(ours);
    const b = rateOf(theirs);
    if (a === undefined || b === undefined) {
      goals.push({
        goal: label,
        met: false,
        figure: `not measured (${b === undefined ? theirs : ours} unavailable)`,
      });
      return;
    }
    goals.push({
      goal: label,
      met: a / b >= 1.5,
      figure: `${formatRatio(a / b)} (${a.toFixed(0)} vs ${b.toFixed(0)} jobs/s)`,
    });
  };
  ratioGoal('longrun (SQLite)', 'BullMQ', 'longrun/SQLite >= 1.5x BullMQ jobs/s');
  ratioGoal('longrun (PostgreSQL)', 'pg-boss', 'longrun/PostgreSQL >= 1.5x pg-boss jobs/s');

  const chart: ChartPanel = {
    title: `Throughput: ${jobs} no-op jobs end to end, ${CLIENTS} submitters, ${CONCURRENCY} worker slots`,
    unit: 'jobs/s',
    series: ['jobs/s'],
    groups: result.map((r) => ({
      label: r.system.name,
      values: [r.rate],
      ours: r.system.name.startsWith('longrun'),
    })),
  };
  return {
    name: 'throughput',
    rows: result.map((r) => ({
      system: r.system.name,
      store: r.system.store,
      'jobs/s': Math.round(r.rate),
      rounds: r.all.map((x) => x.toFixed(0)).join(', '),
      'vs best peer': bestPeer > 0 ? formatRatio(r.rate / bestPeer) : '—',
      'server CPU µs/job': r.cpuPerJob === undefined ? '—' : Math.round(r.cpuPerJob),
    })),
    goals,
    charts: [chart],
    method:
      `${jobs} no-op jobs per system after ${warmup} for warm-up, from ${CLIENTS} concurrent submitters each ` +
      `waiting for its job to complete before submitting the next, ${CONCURRENCY} worker slots; ` +
      `median of ${rounds} round${rounds > 1 ? 's' : ''}, the systems taking turns. ` +
      'longrun: one server process on a fresh data dir or PostgreSQL schema, each job one ' +
      '`POST /v1/jobs` with `Prefer: wait=60` (the reply comes when the job is completed) over keep-alive HTTP. ' +
      'longrun (SQLite, no fsync) is the same with `--sqlite-synchronous normal`: a crash loses nothing, a power ' +
      "cut may lose the last writes, which is about what Redis's default (snapshots, no append-only file) promises. " +
      'BullMQ: `Queue.add` and a `Worker` with concurrency 32 in the benchmark process; the submitter hears of ' +
      "completion from the worker's `completed` event, or (BullMQ, QueueEvents) as a submitter in another process " +
      'would, by `job.waitUntilFinished` on a `QueueEvents` stream. Redis runs with its default settings. ' +
      'pg-boss: `send` then `notifyWorker`, one `work` handler taking batches of up to 32; pg-boss has no ' +
      'completion notification, so the submitter hears when the handler returns and the clock stops when every ' +
      "completion is in pg-boss's table. Server CPU per job (longrun) is the server process's CPU time over the " +
      'measured jobs (from /proc), which does not depend on how busy the rest of the machine is. ' +
      "The peers' workers share the benchmark process with the submitters and " +
      'tell them in-process, which favours the peers.',
  };
}
