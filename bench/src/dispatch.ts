/**
 * Dispatch latency: from submitting a job to its processor starting, jobs one
 * after another, for longrun (SQLite and PostgreSQL), BullMQ and pg-boss. For
 * longrun it also takes the SSE push lag: from the job's completion as the
 * server records it to the event reaching a subscriber.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { closeConnections, send } from './lib/http.js';
import { deploy } from './lib/longrun.js';
import { bullmq, type PeerQueue, pgBoss } from './lib/peers.js';
import type { ChartPanel, Goal, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { listening } from './lib/services.js';
import { openEventStream } from './lib/sse.js';
import { quantile } from './lib/stats.js';
import { type Warmup, warmUp, warmupText } from './lib/warmup.js';

const CONCURRENCY = 32;

interface Samples {
  name: string;
  ours: boolean;
  dispatch: number[];
  /** longrun only: completion recorded -> terminal event received. */
  pushLag?: number[];
  /** longrun only: submit -> terminal event received (a 0-s job's whole life, as its caller sees it). */
  toTerminal?: number[];
}

/** Wall-clock now with sub-millisecond precision, comparable with the server's timestamps. */
const wallNow = () => performance.timeOrigin + performance.now();

async function longrun(store: 'sqlite' | 'postgres', jobs: number, warmup: Warmup): Promise<Samples> {
  const d = await deploy({ store, concurrency: CONCURRENCY });
  const running = new Map<string, (t: number) => void>();
  const finished = new Map<string, (heard: { lag: number; at: number }) => void>();
  // One stream of every change of every job: the `running` change is published when a worker has
  // claimed the job and hands it to its processor.
  const stream = await openEventStream(`${d.url}/v1/events`, ({ data }) => {
    const t = performance.now();
    const wall = wallNow();
    const job = JSON.parse(data) as { id: string; status: string; finished_at: string | null };
    if (job.status === 'running') running.get(job.id)?.(t);
    else if (job.status === 'completed' && job.finished_at)
      finished.get(job.id)?.({ lag: wall - Date.parse(job.finished_at), at: t });
  });
  const prefix = randomBytes(3).toString('hex');
  const one = async (i: number) => {
    const id = `d-${prefix}-${i}`;
    const started = new Promise<number>((r) => running.set(id, r));
    const heard = new Promise<{ lag: number; at: number }>((r) => finished.set(id, r));
    const t0 = performance.now();
    const r = await send(`${d.url}/v1/jobs`, {
      method: 'POST',
      body: { id, type: 'simulate', input: { duration_seconds: 0, error_rate: 0 } },
    });
    if (r.status !== 202) throw new Error(`submit answered ${r.status}: ${r.body.slice(0, 200)}`);
    const t1 = await started;
    running.delete(id);
    return { dispatch: t1 - t0, heard: heard.then(({ lag, at }) => ({ lag, toTerminal: at - t0 })) };
  };
  try {
    let warmed = 0;
    await warmUp(warmup, async () => {
      await (await one(-1 - warmed++)).heard;
      return 1;
    });
    const out: Samples = {
      name: store === 'sqlite' ? 'longrun (SQLite)' : 'longrun (PostgreSQL)',
      ours: true,
      dispatch: [],
      pushLag: [],
      toTerminal: [],
    };
    for (let i = 0; i < jobs; i++) {
      const s = await one(i);
      out.dispatch.push(s.dispatch);
      const { lag, toTerminal } = await s.heard;
      out.pushLag!.push(lag);
      out.toTerminal!.push(toTerminal);
    }
    return out;
  } finally {
    stream.close();
    closeConnections();
    await d.stop();
  }
}

async function peer(
  name: string,
  open: (c: number) => Promise<PeerQueue>,
  jobs: number,
  warmup: Warmup,
): Promise<Samples> {
  const q = await open(CONCURRENCY);
  const one = async () => {
    const t0 = performance.now();
    const { started, done } = await q.add();
    const t1 = await started;
    await done;
    return t1 - t0;
  };
  try {
    await warmUp(warmup, async () => {
      await one();
      return 1;
    });
    const dispatch: number[] = [];
    for (let i = 0; i < jobs; i++) dispatch.push(await one());
    return { name, ours: false, dispatch };
  } finally {
    await q.close();
  }
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const jobs = quick ? 200 : 1000;
  // Measured warm, as throughput is (lib/warmup.ts): after 50 jobs, the thousand dispatches (three
  // seconds or so) ran while the server still compiled its hot code, every one of them slower.
  const warmup: Warmup = quick ? { jobs: 20, seconds: 0 } : { jobs: 50, seconds: 10 };
  const redis = await listening(6379);
  const postgres = await listening(5432);
  const results: Samples[] = [await longrun('sqlite', jobs, warmup)];
  if (postgres) results.push(await longrun('postgres', jobs, warmup));
  if (redis) results.push(await peer('BullMQ', bullmq, jobs, warmup));
  if (postgres) results.push(await peer('pg-boss', pgBoss, jobs, warmup));

  const ms = (x: number) => Math.round(x * 100) / 100;
  const rows = results.map((r) => ({
    system: r.name,
    'dispatch p50 (ms)': ms(quantile(r.dispatch, 0.5)),
    'dispatch p99 (ms)': ms(quantile(r.dispatch, 0.99)),
    'SSE push lag p50 (ms)': r.pushLag ? ms(quantile(r.pushLag, 0.5)) : '—',
    'SSE push lag p99 (ms)': r.pushLag ? ms(quantile(r.pushLag, 0.99)) : '—',
    'submit to terminal event p50 (ms)': r.toTerminal ? ms(quantile(r.toTerminal, 0.5)) : '—',
    'submit to terminal event p99 (ms)': r.toTerminal ? ms(quantile(r.toTerminal, 0.99)) : '—',
  }));
  const within = (label: string, xs: number[], limit: number): Goal => {
    const p99 = quantile(xs, 0.99);
    return {
      goal: `${label} p99 <= ${limit} ms`,
      met: p99 <= limit,
      figure: `p99 ${p99.toFixed(1)} ms, p50 ${quantile(xs, 0.5).toFixed(1)} ms`,
    };
  };
  // Throughput must not be bought with latency: batching waits for nothing when there is one job.
  const goals: Goal[] = results
    .filter((r) => r.ours)
    .flatMap((r) => [
      within(`SSE lag, ${r.name}:`, r.pushLag!, 10),
      within(`dispatch (submit to processor start), ${r.name}:`, r.dispatch, 10),
      within(`submit to terminal SSE event of a 0-s job, ${r.name}:`, r.toTerminal!, 20),
    ]);
  const chart: ChartPanel = {
    title: `Dispatch latency: submit to processor start, ${jobs} jobs one after another`,
    unit: 'milliseconds',
    series: ['p50', 'p99'],
    lowerIsBetter: true,
    groups: results.map((r) => ({
      label: r.name,
      values: [quantile(r.dispatch, 0.5), quantile(r.dispatch, 0.99)],
      ours: r.ours,
    })),
  };
  return {
    name: 'dispatch',
    rows,
    goals,
    charts: [chart],
    method:
      `${jobs} no-op jobs one after another (after a warm-up of ${warmupText(warmup)}), each submitted once the previous ` +
      "one's processor has started and it has completed; the clock starts just before the submit call. " +
      'longrun: the submit is `POST /v1/jobs` over keep-alive HTTP, and the processor start is the `running` ' +
      'event on an open `GET /v1/events` stream: a worker publishes that change when it has claimed the job and ' +
      'hands it to its processor, so the figure also holds the SSE push to the client (the peers are timed ' +
      'inside their processor, in-process, without such a hop). BullMQ: `Queue.add`, timed to the first line of ' +
      "the Worker's processor. pg-boss: `send` and then `notifyWorker` (without it a worker only looks every " +
      '0.5 s or more), timed to the first line of the `work` handler. ' +
      'SSE push lag (longrun): the completed event arriving on the stream minus the `finished_at` the server ' +
      'recorded (wall clock, same machine; `finished_at` has millisecond resolution). Submit to terminal ' +
      'event (longrun): from just before the submit to the `completed` event arriving on the stream, the ' +
      'whole life of a 0-s job as its caller sees it; the goals hold it under 20 ms and dispatch under 10 ms ' +
      'at p99 on both stores, so that the batching that buys throughput costs a lone job nothing.',
  };
}
