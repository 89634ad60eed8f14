/**
 * Remote workers (docs/workers.md) against in-process processors, on SQLite
 * and PostgreSQL:
 * - latency, jobs one after another with one worker process: submit to the
 *   handler starting (claim-to-start: the long-poll answered, the SDK ran the
 *   handler), and the waiter's lag from the worker's `complete` to the job's
 *   terminal event over SSE;
 * - throughput: no-op jobs per second with 1, 2 and 4 worker processes.
 * In-process figures are the same measures of `simulate` jobs of 0 s run by
 * the server's own pool.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { closeConnections, send } from './lib/http.js';
import { type Deployment, deploy } from './lib/longrun.js';
import { runScenarioIfMain } from './lib/main.js';
import { cpuMs } from './lib/proc.js';
import type { ChartPanel, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { listening } from './lib/services.js';
import { openEventStream } from './lib/sse.js';
import { quantile } from './lib/stats.js';

const WORKER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'remote', 'worker-process.js');
/** Jobs each worker process (and the in-process pool) runs at once in the throughput runs. */
const SLOTS = 16;
const BATCH = 100;
const wallNow = () => performance.timeOrigin + performance.now();

type Store = 'sqlite' | 'postgres';
const storeName = (s: Store) => (s === 'sqlite' ? 'SQLite' : 'PostgreSQL');

interface WorkerProcess {
  proc: ChildProcess;
  /** Called with each `start`/`end` line's job id and time. */
  onLine: (kind: string, id: string, at: number) => void;
  stop(): Promise<void>;
}

async function startWorker(url: string, slots: number, timing: boolean): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [WORKER_SCRIPT, url, String(slots)], {
    env: { ...process.env, TIMING: timing ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const w: WorkerProcess = {
    proc,
    onLine: () => {},
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
  const ready = new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`a worker process exited (${code}) before it was ready`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve();
      const [kind, id, at] = line.split(' ');
      if (id && at) w.onLine(kind!, id, Number(at));
    });
  });
  await ready;
  return w;
}

async function submit(url: string, job: object): Promise<void> {
  const r = await send(`${url}/v1/jobs`, { method: 'POST', body: job });
  if (r.status !== 202) throw new Error(`submit answered ${r.status}: ${r.body.slice(0, 200)}`);
}

interface Latency {
  system: string;
  dispatch: number[];
  /** Worker's complete (or, in process, the server's finish) -> terminal event received. */
  lag: number[];
}

/** Jobs one after another: submit -> handler start, and complete -> the SSE terminal event. */
async function latency(store: Store, remote: boolean, jobs: number, warmup: number): Promise<Latency> {
  const d = await deploy({ store, concurrency: 4 });
  const worker = remote ? await startWorker(d.url, 1, true) : null;
  const started = new Map<string, (at: number) => void>();
  // The two ends of a job's lag, from two sources (the worker's output, the stream) that may come in either order.
  const ends = new Map<string, { completed?: number; heard?: number }>();
  const done = new Map<string, (lag: number) => void>();
  const settle = (id: string, end: 'completed' | 'heard', at: number) => {
    const pair = ends.get(id) ?? {};
    pair[end] = at;
    ends.set(id, pair);
    if (pair.completed !== undefined && pair.heard !== undefined) done.get(id)?.(pair.heard - pair.completed);
  };
  if (worker)
    worker.onLine = (kind, id, at) => {
      if (kind === 'start') started.get(id)?.(at);
      else settle(id, 'completed', at);
    };
  const stream = await openEventStream(`${d.url}/v1/events`, ({ data }) => {
    const at = wallNow();
    const job = JSON.parse(data) as { id: string; status: string; finished_at: string | null };
    if (!remote && job.status === 'running') started.get(job.id)?.(at);
    if (job.status === 'completed') {
      if (!remote && job.finished_at) settle(job.id, 'completed', Date.parse(job.finished_at));
      settle(job.id, 'heard', at);
    }
  });
  const prefix = randomBytes(3).toString('hex');
  const one = async (i: number) => {
    const id = `r-${prefix}-${i}`;
    const start = new Promise<number>((r) => started.set(id, r));
    const lag = new Promise<number>((r) => done.set(id, r));
    const t0 = wallNow();
    await submit(d.url, {
      id,
      type: remote ? 'bench.noop' : 'simulate',
      input: remote ? {} : { duration_seconds: 0, error_rate: 0 },
    });
    const dispatch = (await start) - t0;
    return { dispatch, lag: await lag };
  };
  try {
    for (let i = 0; i < warmup; i++) await one(-1 - i);
    const out: Latency = {
      system: `${remote ? 'remote worker' : 'in-process'} (${storeName(store)})`,
      dispatch: [],
      lag: [],
    };
    for (let i = 0; i < jobs; i++) {
      const s = await one(i);
      out.dispatch.push(s.dispatch);
      out.lag.push(s.lag);
    }
    return out;
  } finally {
    stream.close();
    closeConnections();
    await worker?.stop();
    await d.stop();
  }
}

interface Throughput {
  system: string;
  store: Store;
  processes: number | null;
  rate: number;
  /** Server CPU per job, µs. */
  serverUs: number;
  /** Worker processes' CPU per job, µs (0 in process). */
  workerUs: number;
}

/** `jobs` no-op jobs submitted in batches, run by `processes` worker processes (null: the server's pool). */
async function throughput(store: Store, processes: number | null, jobs: number): Promise<Throughput> {
  const d: Deployment = await deploy({ store, concurrency: SLOTS, args: ['--rate-limit-create', '0'] });
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < (processes ?? 0); i++) workers.push(await startWorker(d.url, SLOTS, false));
    let completed = 0;
    let allDone: () => void = () => {};
    const finished = new Promise<void>((r) => {
      allDone = r;
    });
    const stream = await openEventStream(`${d.url}/v1/events`, ({ data }) => {
      if (data.includes('"status":"completed"') && ++completed === jobs) allDone();
    });
    const type = processes === null ? 'simulate' : 'bench.noop';
    const input = processes === null ? { duration_seconds: 0, error_rate: 0 } : {};
    const cpu = () => ({
      server: cpuMs(d.server.proc.pid!),
      workers: workers.reduce((sum, w) => sum + cpuMs(w.proc.pid!), 0),
    });
    const before = cpu();
    const t0 = performance.now();
    for (let sent = 0; sent < jobs; sent += BATCH) {
      const items = Array.from({ length: Math.min(BATCH, jobs - sent) }, () => ({ type, input }));
      const r = await send(`${d.url}/v1/jobs/batch`, { method: 'POST', body: { jobs: items } });
      if (r.status !== 200) throw new Error(`batch answered ${r.status}: ${r.body.slice(0, 200)}`);
    }
    await finished;
    const seconds = (performance.now() - t0) / 1000;
    const after = cpu();
    stream.close();
    return {
      system:
        processes === null
          ? `in-process (${storeName(store)})`
          : `${processes} worker process${processes === 1 ? '' : 'es'} (${storeName(store)})`,
      store,
      processes,
      rate: jobs / seconds,
      serverUs: ((after.server - before.server) * 1000) / jobs,
      workerUs: ((after.workers - before.workers) * 1000) / jobs,
    };
  } finally {
    closeConnections();
    for (const w of workers) await w.stop();
    await d.stop();
  }
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const latencyJobs = quick ? 100 : 500;
  const warmup = quick ? 10 : 30;
  const jobs = quick ? 1000 : 4000;
  const stores: Store[] = (await listening(5432)) ? ['sqlite', 'postgres'] : ['sqlite'];
  const lat: Latency[] = [];
  const thr: Throughput[] = [];
  for (const store of stores) {
    lat.push(await latency(store, false, latencyJobs, warmup));
    lat.push(await latency(store, true, latencyJobs, warmup));
    for (const processes of [null, 1, 2, 4]) thr.push(await throughput(store, processes, jobs));
  }
  const ms = (x: number) => Math.round(x * 100) / 100;
  const rows: ScenarioResult['rows'] = [
    ...lat.map((l) => ({
      system: l.system,
      measure: 'latency',
      'dispatch p50 (ms)': ms(quantile(l.dispatch, 0.5)),
      'dispatch p99 (ms)': ms(quantile(l.dispatch, 0.99)),
      'complete to SSE p50 (ms)': ms(quantile(l.lag, 0.5)),
      'complete to SSE p99 (ms)': ms(quantile(l.lag, 0.99)),
    })),
    ...thr.map((t) => ({
      system: t.system,
      measure: 'throughput',
      'jobs/s': Math.round(t.rate),
      'server CPU µs/job': Math.round(t.serverUs),
      'worker CPU µs/job': Math.round(t.workerUs),
    })),
  ];
  const charts: ChartPanel[] = [
    {
      title: `No-op jobs per second, ${jobs} jobs submitted in batches of ${BATCH}, ${SLOTS} slots per process`,
      unit: 'jobs/s',
      series: ['jobs/s'],
      groups: thr.map((t) => ({ label: t.system, values: [t.rate], ours: t.processes !== null })),
    },
    {
      title: `Submit to handler start, ${latencyJobs} jobs one after another`,
      unit: 'milliseconds',
      series: ['p50', 'p99'],
      lowerIsBetter: true,
      groups: lat.map((l) => ({
        label: l.system,
        values: [quantile(l.dispatch, 0.5), quantile(l.dispatch, 0.99)],
        ours: l.system.startsWith('remote'),
      })),
    },
  ];
  return {
    name: 'remote-workers',
    rows,
    goals: [],
    charts,
    method:
      `Remote workers are separate Node processes running \`@longrun/worker\` with a no-op type (bench/src/remote/worker-process.ts); ` +
      `in-process rows run \`simulate\` jobs of 0 s in the server's own pool. Latency: ${latencyJobs} jobs one after another ` +
      `(after ${warmup} for warm-up), one worker process with one slot; dispatch is from just before the submit to the handler's ` +
      `start (remote: the time the worker process wrote; in process: the \`running\` event on \`/v1/events\`); the lag is from the ` +
      `handler's return, right before the SDK sends \`complete\` (in process: the job's finished_at), to the \`completed\` event reaching ` +
      `an SSE subscriber. Throughput: ${jobs} jobs submitted with \`POST /v1/jobs/batch\` in batches of ${BATCH}, timed to the last ` +
      `\`completed\` event, with ${SLOTS} slots per worker process (and ${SLOTS} in the server's pool); CPU from /proc for the server ` +
      'and for the worker processes together.',
  };
}

runScenarioIfMain(import.meta.url, run);
