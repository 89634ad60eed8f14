import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  countingFetch,
  type FaultProxy,
  type LongrunServer,
  removeDir,
  startFaultProxy,
  startServer,
  tempDir,
} from '@longrun/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIUserAbortError,
  type Job,
  JobFailedError,
  Longrun,
  NotFoundError,
  StatusApiClient,
  type Transport,
  type WaitOptions,
  WaitTimeoutError,
} from '../src/index.js';
import { saveArtifact } from '../src/node.js';

/**
 * The SDK against a real server process (port 0), directly and through a
 * fault-injecting proxy. Each wait prints its transport, its HTTP requests,
 * and the lag from the job's finished_at to the moment wait() resolved.
 */

let server: LongrunServer;
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  server = await startServer([
    '--concurrency',
    '32',
    '--wait-concurrency',
    '32',
    '--simulate-error-rate',
    '0',
  ]);
});

afterAll(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await server?.close();
});

async function proxy(): Promise<FaultProxy> {
  const p = await startFaultProxy(server.url);
  proxies.push(p);
  return p;
}

interface Measured {
  job: Job;
  transport: Transport[];
  requests: number;
  lagMs: number;
}

/** Wait with a fresh counting client on `baseUrl`, and print what it cost. */
async function measuredWait(
  label: string,
  baseUrl: string,
  id: string,
  options: WaitOptions = {},
): Promise<Measured> {
  const counter = countingFetch();
  const client = new Longrun({ baseUrl, fetch: counter.fetch });
  const transport: Transport[] = [];
  const job = await client.jobs.wait(id, { ...options, onTransport: (t) => transport.push(t) });
  const resolvedAt = Date.now();
  const lagMs = resolvedAt - Date.parse(job.finished_at!);
  console.log(
    `wait ${label.padEnd(34)} ${job.status.padEnd(9)} transport=${transport.join('>').padEnd(18)} ` +
      `requests=${counter.count()} lag=${lagMs} ms`,
  );
  return { job, transport, requests: counter.count(), lagMs };
}

const submit = (baseUrl: string, input: Record<string, unknown>) =>
  new Longrun({ baseUrl }).jobs.create({ type: 'simulate', input });

describe('wait() against a real server', { timeout: 60_000 }, () => {
  it('a 3-s job costs at most 3 requests and resolves within 200 ms of finished_at', async () => {
    const job = await submit(server.url, { duration_seconds: 3, error_rate: 0 });
    const m = await measuredWait('3 s, auto', server.url, job.id);
    expect(m.job.status).toBe('completed');
    expect(m.transport).toEqual(['sse']);
    expect(m.requests).toBeLessThanOrEqual(3);
    expect(m.lagMs).toBeLessThan(200);
  });

  it('jobs of several durations and error rates end as their seeds say, on every strategy', async () => {
    const cases = [
      { duration_seconds: 0.5, error_rate: 0 },
      { duration_seconds: 1.5, error_rate: 1 },
      { duration_seconds: 2, error_rate: 0 },
      { duration_seconds: 1, error_rate: 0.5, seed: 7 },
    ];
    const strategies = ['auto', 'sse', 'long-poll', 'poll'] as const;
    const runs = cases.flatMap((input) => strategies.map((strategy) => ({ input, strategy })));
    const jobs = await Promise.all(runs.map((r) => submit(server.url, r.input)));
    const results = await Promise.all(
      runs.map((r, i) =>
        measuredWait(
          `${r.input.duration_seconds} s, rate ${r.input.error_rate}, ${r.strategy}`,
          server.url,
          jobs[i]!.id,
          {
            strategy: r.strategy,
          },
        ),
      ),
    );
    // The seeded case ends the same way whichever client waits for it.
    const seeded = results.filter((_, i) => runs[i]!.input.seed === 7).map((m) => m.job.status);
    expect(new Set(seeded).size).toBe(1);
    for (const [i, m] of results.entries()) {
      const { input, strategy } = runs[i]!;
      if (input.error_rate === 0) expect(m.job.status).toBe('completed');
      if (input.error_rate === 1) {
        expect(m.job.status).toBe('failed');
        expect(m.job.error?.code).toBe('simulated_error');
      }
      expect(m.transport).toEqual(strategy === 'auto' ? ['sse'] : [strategy]);
    }
  });

  it('run() resolves with a completed job and throws JobFailedError for a failing one', async () => {
    const client = new Longrun({ baseUrl: server.url });
    const ok = await client.run('simulate', { duration_seconds: 0.5, error_rate: 0 });
    expect(ok.status).toBe('completed');
    expect(ok.output).toMatchObject({ result: 'completed' });
    const err = await client.run('simulate', { duration_seconds: 0.5, error_rate: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err.code).toBe('simulated_error');
  });

  it('SSE blocked by a proxy -> long-poll, still one request for the wait', async () => {
    const p = await proxy();
    p.refuseSse(true);
    const job = await submit(server.url, { duration_seconds: 2, error_rate: 0 });
    const m = await measuredWait('2 s, SSE refused', p.url, job.id);
    expect(m.job.status).toBe('completed');
    expect(m.transport).toEqual(['sse', 'long-poll']);
    expect(m.requests).toBe(2);
    expect(p.log.map((e) => e.status)).toEqual([403, 200]);
  });

  it('SSE refused and held requests cut short -> adaptive polling on the server hints', async () => {
    const p = await proxy();
    p.refuseSse(true);
    p.dropQuery(['wait', 'until', 'since']);
    const job = await submit(server.url, { duration_seconds: 3, error_rate: 0 });
    const m = await measuredWait('3 s, SSE refused, wait dropped', p.url, job.id);
    expect(m.job.status).toBe('completed');
    expect(m.transport).toEqual(['sse', 'long-poll', 'poll']);
    // 1 s polling would take 4 or more; the hints aim one request at the eta.
    expect(m.requests).toBeLessThanOrEqual(6);
  });

  it('only the compatibility routes: StatusApiClient.waitForResult on a 4-s job uses at most 12 requests', async () => {
    const p = await proxy();
    p.onlyPaths(/^\/(submit|status)\//);
    const counter = countingFetch();
    const status = new StatusApiClient({ baseUrl: p.url, fetch: counter.fetch });
    await status.submit('compat-4s', { delaySeconds: 4 });
    const before = counter.count();
    const { result } = await status.waitForResult('compat-4s', { timeoutMs: 20_000 });
    const requests = counter.count() - before;
    console.log(`waitForResult 4 s compat job: result=${result} requests=${requests}`);
    expect(result).toBe('completed');
    expect(requests).toBeLessThanOrEqual(12);
    expect(p.log.every((e) => /^\/(submit|status)\//.test(e.path) && e.status < 400)).toBe(true);
  });

  it('a wait survives a server restart on every transport', async () => {
    const strategies = ['sse', 'long-poll', 'poll'] as const;
    const jobs = await Promise.all(
      strategies.map(() => submit(server.url, { duration_seconds: 3, error_rate: 0 })),
    );
    const waits = strategies.map((strategy, i) =>
      measuredWait(`3 s, server restarted, ${strategy}`, server.url, jobs[i]!.id, {
        strategy,
        timeoutMs: 60_000,
      }),
    );
    await new Promise((r) => setTimeout(r, 800));
    server = await server.restart();
    const results = await Promise.all(waits);
    for (const m of results) {
      expect(m.job.status).toBe('completed');
      expect(m.job.finished_at).not.toBeNull();
    }
  });

  it('5xx bursts, 429 with Retry-After and reset connections are retried through', async () => {
    const p = await proxy();
    const jobs = await Promise.all(
      [0, 1, 2].map(() => submit(server.url, { duration_seconds: 2, error_rate: 0 })),
    );
    p.failNext(3, { status: 503, body: 'upstream overloaded' });
    const sse = measuredWait('2 s, 3x503 then SSE', p.url, jobs[0]!.id, { strategy: 'sse' });
    await new Promise((r) => setTimeout(r, 300));
    p.failNext(2, { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' });
    const longPoll = measuredWait('2 s, 2x429 then long-poll', p.url, jobs[1]!.id, { strategy: 'long-poll' });
    await new Promise((r) => setTimeout(r, 300));
    p.reset();
    p.failNext(2, { status: 502 });
    const polled = measuredWait('2 s, reset + 2x502 then poll', p.url, jobs[2]!.id, { strategy: 'poll' });
    const results = await Promise.all([sse, longPoll, polled]);
    for (const m of results) expect(m.job.status).toBe('completed');
    const statuses = p.log.map((e) => e.status);
    expect(statuses.filter((s) => s === 503)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(statuses.filter((s) => s === 502)).toHaveLength(2);
  });

  it('downloads an artifact as a web stream, and saves one to a file in Node', async () => {
    const client = new Longrun({ baseUrl: server.url });
    const job = await client.run(
      'text.to_video',
      { text: 'Hello.', background: 'navy' },
      { timeoutMs: 120_000 },
    );
    const artifacts = job.output?.artifacts ?? [];
    const video = artifacts.find((a) => a.name === 'video.mp4')!;
    expect(video.size).toBeGreaterThan(0);
    const stream = await client.jobs.download(job.id, video.name);
    let bytes = 0;
    for await (const chunk of stream) bytes += chunk.byteLength;
    expect(bytes).toBe(video.size);
    const dir = tempDir('longrun-client-');
    try {
      const saved = await saveArtifact(client, job.id, video.name, join(dir, 'out.mp4'));
      expect(saved.bytes).toBe(video.size);
      expect(statSync(saved.path).size).toBe(video.size);
      expect(readdirSync(dir)).toEqual(['out.mp4']);
    } finally {
      removeDir(dir);
    }
    const missing = await client.jobs.download(job.id, 'nope.mp4').catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('artifact_not_found');
  }, 120_000);

  it('adaptive polling hears of a long job ended early (canceled at 3 s of 120) within seconds, not at its eta', async () => {
    const job = await submit(server.url, { duration_seconds: 120, error_rate: 0 });
    const waited = measuredWait('120 s, canceled at 3 s, poll', server.url, job.id, { strategy: 'poll' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await new Longrun({ baseUrl: server.url }).jobs.cancel(job.id);
    const m = await waited;
    expect(m.job.status).toBe('canceled');
    // Asked at about 0.1, 2.1 and 4.2 s: the cancel at 3 s is heard at the third request.
    expect(m.lagMs).toBeLessThan(5000);
    expect(m.requests).toBeLessThanOrEqual(5);
  });

  it('abort ends a wait at once with APIUserAbortError', async () => {
    const job = await submit(server.url, { duration_seconds: 10, error_rate: 0 });
    const client = new Longrun({ baseUrl: server.url });
    for (const strategy of ['sse', 'long-poll', 'poll'] as const) {
      const controller = new AbortController();
      const pending = client.jobs.wait(job.id, { strategy, signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    }
    await client.jobs.cancel(job.id);
  });

  it('the deadline ends a wait with WaitTimeoutError carrying the running job', async () => {
    const job = await submit(server.url, { duration_seconds: 10, error_rate: 0 });
    const client = new Longrun({ baseUrl: server.url });
    for (const strategy of ['sse', 'long-poll', 'poll'] as const) {
      const err = await client.jobs.wait(job.id, { strategy, timeoutMs: 700 }).catch((e) => e);
      expect(err).toBeInstanceOf(WaitTimeoutError);
      expect(err.last.id).toBe(job.id);
      expect(['queued', 'running']).toContain(err.last.status);
    }
    const canceled = await client.jobs.cancel(job.id);
    expect(canceled.status).toBe('canceled');
  });
});
