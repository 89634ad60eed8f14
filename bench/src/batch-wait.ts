/**
 * Waiting for a batch: a caller that submitted 1,000 jobs in one request
 * learns when every one has ended, on one event stream (`jobs.waitMany`)
 * against one wait per job (`jobs.wait`, by SSE and by long-poll), on SQLite.
 * Per way: HTTP requests, the client's and the server's CPU time, and how
 * long after the last job's end the caller knew.
 */
import { type Job, Longrun } from '@longrun/client';
import { deploy } from './lib/longrun.js';
import { runScenarioIfMain } from './lib/main.js';
import { cpuMs } from './lib/proc.js';
import type { Goal, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { fmt } from './lib/stats.js';

/** Jobs of one batch (the server's --max-batch-jobs by default). */
const BATCH = 1000;
/** Each job's length: long enough that the waits are open while jobs run and end. */
const JOB_SECONDS = 1;
/** Jobs running at once: the batch runs in a few waves, so ends come over seconds. */
const CONCURRENCY = 250;
/** The goal: the last end heard within this long of it, on one stream. */
const HEARD_WITHIN_MS = 50;

type Way = 'one stream (waitMany)' | 'one stream, every change' | 'SSE per job' | 'long-poll per job';
const WAYS: readonly Way[] = [
  'one stream (waitMany)',
  'one stream, every change',
  'SSE per job',
  'long-poll per job',
];

interface Measured {
  way: Way;
  jobs: number;
  requests: number;
  clientCpuUsPerJob: number;
  serverCpuUsPerJob: number;
  heardAfterLastEndMs: number;
  seconds: number;
}

function waitAll(client: Longrun, jobs: Job[], way: Way): Promise<Job[]> {
  switch (way) {
    case 'one stream (waitMany)':
      return client.jobs.waitMany(jobs);
    case 'one stream, every change':
      return client.jobs.waitMany(jobs, { onProgress: () => {} });
    case 'SSE per job':
      return Promise.all(jobs.map((job) => client.jobs.wait(job, { strategy: 'sse' })));
    case 'long-poll per job':
      return Promise.all(jobs.map((job) => client.jobs.wait(job, { strategy: 'long-poll' })));
  }
}

async function measure(way: Way, jobs: number): Promise<Measured> {
  const d = await deploy({
    store: 'sqlite',
    concurrency: CONCURRENCY,
    args: ['--rate-limit-create', '0', '--rate-limit-read', '0'],
  });
  let requests = 0;
  const client = new Longrun({
    baseUrl: d.url,
    fetch: (input, init) => {
      requests++;
      return fetch(input, init);
    },
  });
  try {
    const job = (seed: number) => ({
      type: 'simulate',
      input: { duration_seconds: JOB_SECONDS, error_rate: 0, seed },
    });
    // Warm-up: a small batch waited for the same way (connections, JIT).
    const warm = (await client.jobs.createMany(Array.from({ length: 20 }, (_, i) => job(i)))).map(made);
    await waitAll(client, warm, way);

    const batch = (await client.jobs.createMany(Array.from({ length: jobs }, (_, i) => job(i)))).map(made);
    requests = 0;
    const pid = d.server.proc.pid!;
    const server0 = cpuMs(pid);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    const ended = await waitAll(client, batch, way);
    const heard = Date.now();
    const seconds = (performance.now() - t0) / 1000;
    const clientCpu = process.cpuUsage(client0);
    const serverCpu = cpuMs(pid) - server0;
    if (ended.some((j) => j.status !== 'completed')) throw new Error(`${way}: a job did not complete`);
    const lastEnd = Math.max(...ended.map((j) => Date.parse(j.finished_at!)));
    return {
      way,
      jobs,
      requests,
      clientCpuUsPerJob: (clientCpu.user + clientCpu.system) / jobs,
      serverCpuUsPerJob: (serverCpu * 1000) / jobs,
      heardAfterLastEndMs: heard - lastEnd,
      seconds,
    };
  } finally {
    await d.stop();
  }
}

function made(result: Awaited<ReturnType<Longrun['jobs']['createMany']>>[number]): Job {
  if (!result.ok) throw result.error;
  return result.job;
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  const jobs = quick ? 300 : BATCH;
  const measured: Measured[] = [];
  for (const way of WAYS) measured.push(await measure(way, jobs));
  const stream = measured[0]!;
  const perJob = measured.find((m) => m.way === 'SSE per job')!;
  const goals: Goal[] = [
    {
      goal: `longrun/SQLite: ${jobs} jobs waited for on one stream: 1 request, the last end heard <= ${HEARD_WITHIN_MS} ms after it, less client CPU than an SSE wait per job`,
      met:
        stream.requests === 1 &&
        stream.heardAfterLastEndMs <= HEARD_WITHIN_MS &&
        stream.clientCpuUsPerJob < perJob.clientCpuUsPerJob,
      figure: `${stream.requests} request, heard ${fmt(stream.heardAfterLastEndMs, 0)} ms after the last end; client ${fmt(stream.clientCpuUsPerJob, 0)} vs ${fmt(perJob.clientCpuUsPerJob, 0)} µs/job, server ${fmt(stream.serverCpuUsPerJob, 0)} vs ${fmt(perJob.serverCpuUsPerJob, 0)} µs/job (${perJob.requests} requests)`,
    },
  ];
  return {
    name: 'batch-wait',
    rows: measured.map((m) => ({
      way: m.way,
      jobs: m.jobs,
      requests: m.requests,
      'client CPU µs/job': Number(fmt(m.clientCpuUsPerJob, 0)),
      'server CPU µs/job': Number(fmt(m.serverCpuUsPerJob, 0)),
      'heard after the last end (ms)': Number(fmt(m.heardAfterLastEndMs, 0)),
      seconds: Number(fmt(m.seconds, 2)),
    })),
    goals,
    method:
      `${jobs} \`simulate\` jobs of ${JOB_SECONDS} s, submitted in one \`POST /v1/jobs/batch\` and waited for at once ` +
      `by the SDK in this process, each way on a fresh server (SQLite, \`--concurrency ${CONCURRENCY}\`, so the ` +
      'batch runs in waves and ends over seconds), after a warm-up batch of 20 waited for the same way: ' +
      "`jobs.waitMany(jobs)` (one `POST /v1/jobs/events` stream that sends each job's end), the same with an " +
      "`onProgress` (the stream sends every change: each job's stages and progress), and `jobs.wait(job)` for " +
      'each job at once, by SSE (`GET /v1/jobs/{id}/events`) and by long-poll (`?wait=&until=terminal`). ' +
      "Requests are those the SDK sent while waiting; CPU is the client's (this process) and the server's " +
      '(user + system from /proc, 10 ms ticks) over the wait, which includes running the jobs, the same work ' +
      'in every way; "heard" is when the wait returned, minus the latest `finished_at`.',
  };
}

runScenarioIfMain(import.meta.url, run);
