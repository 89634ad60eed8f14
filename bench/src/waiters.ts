/**
 * SSE waiters: many clients waiting on one job over `GET /v1/jobs/{id}/events`,
 * all on one server process. Memory per waiter is the server's RSS growth
 * divided by the waiters; fan-out is the time from the job's completion (its
 * `finished_at`) to the last waiter receiving the completed event.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startServer } from '@longrun/testkit';
import { cpuMs, openFileLimit, rss } from './lib/proc.js';
import { serverNodeArgs } from './lib/profile.js';
import type { ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { quantile } from './lib/stats.js';

async function post(url: string, body?: unknown): Promise<{ id: string; status: string; version: number }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${url} answered ${r.status}: ${await r.text()}`);
  return r.json();
}

interface Client {
  proc: ChildProcess;
  connected: Promise<void>;
  done: Promise<{ times: number[]; failed: number }>;
}

function client(url: string, count: number): Client {
  const proc = fork(fileURLToPath(new URL('./waiters-client.js', import.meta.url)), [url, String(count)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`a waiters client exited (${code}) early`))),
  );
  const connected = new Promise<void>((resolve, reject) => {
    proc.on('message', (m: { type: string; failed?: number }) => {
      if (m.type === 'connected') resolve();
      if (m.type === 'failed') reject(new Error(`${m.failed} streams could not be opened`));
    });
  });
  const done = new Promise<{ times: number[]; failed: number }>((resolve) => {
    proc.on('message', (m: { type: string; times: number[]; failed: number }) => {
      if (m.type === 'done') resolve(m);
    });
  });
  return {
    proc,
    connected: Promise.race([connected, exited]),
    done: Promise.race([done, exited]),
  };
}

export async function run(_opts: ScenarioOptions): Promise<ScenarioResult> {
  // The goals are about 10,000 waiters, and fewer would overstate the memory per waiter (the
  // server's fixed growth spread over fewer), so a quick run takes as many; it is short anyway.
  // The server holds one descriptor per waiter: stay under the limit `npm run bench` raised.
  const limit = openFileLimit();
  const waiters = Math.min(10_000, Math.floor((limit - 500) / 1000) * 1000);
  if (waiters < 1000)
    throw new Error(`open files limited to ${limit}; raise it (ulimit -n) to run the waiters`);
  if (waiters < 10_000) console.log(`  open files limited to ${limit}: ${waiters} waiters`);
  const processes = 4;
  // One worker slot: a blocker holds it, so the watched job waits queued until the blocker is canceled.
  const server = await startServer(
    ['--concurrency', '1', '--wait-concurrency', '1', '--simulate-error-rate', '0', '--retention', '0'],
    {
      nodeArgs: serverNodeArgs(),
    },
  );
  const clients: Client[] = [];
  try {
    const blocker = await post(`${server.url}/v1/jobs`, {
      type: 'simulate',
      input: { duration_seconds: 3600 },
    });
    const watched = await post(`${server.url}/v1/jobs`, {
      type: 'simulate',
      input: { duration_seconds: 0, error_rate: 0 },
    });
    if (watched.status !== 'queued') throw new Error(`the watched job is ${watched.status}, not queued`);
    await sleep(1000);
    const before = rss(server.proc.pid!);
    const t0 = performance.now();
    const events = `${server.url}/v1/jobs/${watched.id}/events`;
    for (let i = 0; i < processes; i++) clients.push(client(events, waiters / processes));
    await Promise.all(clients.map((c) => c.connected));
    const connectSeconds = (performance.now() - t0) / 1000;
    await sleep(2000);
    const after = rss(server.proc.pid!);
    const perWaiter = (after - before) / waiters;
    console.log(
      `  ${waiters} waiters connected in ${connectSeconds.toFixed(1)} s; server RSS ` +
        `${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MiB`,
    );

    const cpuBefore = cpuMs(server.proc.pid!);
    const canceledAt = performance.timeOrigin + performance.now();
    await post(`${server.url}/v1/jobs/${blocker.id}/cancel`);
    const reports = await Promise.all(clients.map((c) => c.done));
    const fanOutCpu = cpuMs(server.proc.pid!) - cpuBefore;
    const times = reports.flatMap((r) => r.times);
    const failed = reports.reduce((n, r) => n + r.failed, 0);
    if (failed > 0 || times.length !== waiters) {
      throw new Error(`${times.length} of ${waiters} waiters heard of the completion (${failed} failed)`);
    }
    const job = (await (await fetch(`${server.url}/v1/jobs/${watched.id}`)).json()) as {
      status: string;
      finished_at: string;
    };
    if (job.status !== 'completed') throw new Error(`the watched job ended ${job.status}`);
    const finished = Date.parse(job.finished_at);
    console.log(
      `  the watched job finished ${(finished - canceledAt).toFixed(0)} ms after the cancel was sent`,
    );
    const lags = times.map((t) => t - finished);
    const last = Math.max(...lags);
    const kb = perWaiter / 1024;
    const label = `${waiters.toLocaleString('en-US')} waiters`;
    return {
      name: 'waiters',
      rows: [
        {
          waiters,
          'connect (s)': Math.round(connectSeconds * 10) / 10,
          'server RSS before (MiB)': Math.round(before / 2 ** 20),
          'server RSS with waiters (MiB)': Math.round(after / 2 ** 20),
          'KB per waiter': Math.round(kb * 10) / 10,
          'fan-out first (ms)': Math.round(Math.min(...lags)),
          'fan-out p50 (ms)': Math.round(quantile(lags, 0.5)),
          'fan-out last (ms)': Math.round(last),
          'server CPU (ms)': fanOutCpu,
        },
      ],
      goals: [
        {
          goal: '<= 16 KB of server memory per SSE waiter',
          met: kb <= 16,
          figure: `${kb.toFixed(1)} KB (${label})`,
        },
        {
          goal: `fan-out to ${label} < 1 s`,
          met: last < 1000,
          figure: `${Math.round(last)} ms to the last, p50 ${Math.round(quantile(lags, 0.5))} ms`,
        },
      ],
      charts: [
        {
          title: `SSE waiters: ${label} on one job, one server process`,
          unit: 'milliseconds from completion to the waiter hearing of it',
          series: ['ms'],
          lowerIsBetter: true,
          groups: [
            { label: 'first waiter', values: [Math.min(...lags)], ours: true },
            { label: 'half the waiters', values: [quantile(lags, 0.5)], ours: true },
            { label: '99% of waiters', values: [quantile(lags, 0.99)], ours: true },
            { label: 'last waiter', values: [last], ours: true },
          ],
          mark: { value: 1000, label: 'goal: 1 s' },
        },
        {
          title: `Server memory per SSE waiter (${label})`,
          unit: 'KB (server RSS growth / waiters)',
          series: ['KB'],
          lowerIsBetter: true,
          groups: [{ label: 'longrun', values: [kb], ours: true }],
          mark: { value: 16, label: 'goal: 16 KB' },
        },
      ],
      method:
        `${label} spread over ${processes} client processes, each stream its own TCP connection to one longrun ` +
        'server process (SQLite, one worker slot). The watched job waits queued behind a long job holding the ' +
        'only slot; when every stream has its first event, the server RSS is read (/proc) 2 s later and compared ' +
        'with the RSS before the first connection. Then the long job is canceled, the watched no-op job runs and ' +
        'completes, and each client notes (wall clock) when each stream receives the completed event; fan-out is ' +
        "that time minus the job's `finished_at` (same machine clock, millisecond resolution). The watched job " +
        'runs for no time, so the fan-out of its `running` event comes just before that of its completion and ' +
        'is inside the figure. Server CPU is the CPU time the server process used from the cancel to the last ' +
        'waiter hearing (from /proc, 10 ms ticks): the fan-out work itself, whatever else the machine is doing.',
    };
  } finally {
    for (const c of clients) c.proc.kill();
    await server.close();
  }
}
