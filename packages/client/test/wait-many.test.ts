import { type LongrunServer, startServer } from '@longrun/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Job, Longrun, NotFoundError, WaitTimeoutError } from '../src/index.js';

/** A fetch that records each request's method, path and body, and may answer some itself. */
function recording(
  answer?: (method: string, path: string, init: RequestInit) => Promise<Response | undefined>,
) {
  const calls: { method: string; path: string; body: string | undefined }[] = [];
  const fetchFn: typeof fetch = async (input, init = {}) => {
    const method = init.method ?? 'GET';
    const { pathname } = new URL(String(input));
    calls.push({ method, path: pathname, body: typeof init.body === 'string' ? init.body : undefined });
    return (await answer?.(method, pathname, init)) ?? fetch(input, init);
  };
  return { fetch: fetchFn, calls };
}

const simulate = (seconds: number, errorRate = 0) => ({
  type: 'simulate',
  input: { duration_seconds: seconds, error_rate: errorRate },
});

describe('jobs.waitMany against a real server', () => {
  let server: LongrunServer;
  beforeAll(async () => {
    server = await startServer(['--concurrency', '8']);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function made(client: Longrun, items: ReturnType<typeof simulate>[]): Promise<Job[]> {
    const results = await client.jobs.createMany(items);
    return results.map((r) => {
      if (!r.ok) throw r.error;
      return r.job;
    });
  }

  it('waits for every job on one event stream and gives them back in order', async () => {
    const { fetch, calls } = recording();
    const client = new Longrun({ baseUrl: server.url, fetch });
    const jobs = await made(client, [simulate(0.4), simulate(0), simulate(0.2, 1), simulate(0.1)]);
    const progress: Job[] = [];
    const ended = await client.jobs.waitMany([jobs[0]!.id, jobs[1]!, jobs[2]!.id, jobs[3]!, jobs[0]!.id], {
      onProgress: (job) => progress.push(job),
    });
    expect(ended.map((j) => j.id)).toEqual([...jobs.map((j) => j.id), jobs[0]!.id]);
    expect(ended.map((j) => j.status)).toEqual([
      'completed',
      'completed',
      'failed',
      'completed',
      'completed',
    ]);
    const streams = calls.filter((c) => c.path === '/v1/jobs/events');
    expect(streams).toHaveLength(1);
    expect(JSON.parse(streams[0]!.body!).ids.sort()).toEqual(jobs.map((j) => j.id).sort());
    // Told of progress, the stream sends every change.
    expect(JSON.parse(streams[0]!.body!).status).toBeUndefined();
    expect(progress.some((p) => p.status === 'running')).toBe(true);
    // Only the batch, the stream: no polling.
    expect(calls.map((c) => c.path).sort()).toEqual(['/v1/jobs/batch', '/v1/jobs/events']);
    // Each job's snapshots come once each, in order of version.
    for (const job of jobs) {
      const versions = progress.filter((p) => p.id === job.id).map((p) => p.version);
      expect([...new Set(versions)].sort((a, b) => a - b)).toEqual(versions);
    }
  });

  it('asks again for the jobs not yet ended after the stream drops', async () => {
    let cut = false;
    const { fetch, calls } = recording(async (method, path, init) => {
      if (cut || path !== '/v1/jobs/events') return undefined;
      cut = true;
      // The first stream breaks once the first job has ended on it.
      const response = await globalThis.fetch(`${server.url}${path}`, { ...init, method });
      const reader = response.body!.getReader();
      let text = '';
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          controller.enqueue(value);
          text += new TextDecoder().decode(value);
          if (text.includes('"status":"completed"')) {
            await reader.cancel();
            controller.error(new TypeError('terminated'));
          }
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    });
    const client = new Longrun({ baseUrl: server.url, fetch });
    const jobs = await made(client, [simulate(0), simulate(0.6), simulate(0.8)]);
    const ended = await client.jobs.waitMany(jobs);
    expect(ended.map((j) => [j.id, j.status])).toEqual(jobs.map((j) => [j.id, 'completed']));
    const asked = calls.filter((c) => c.path === '/v1/jobs/events').map((c) => JSON.parse(c.body!).ids);
    expect(asked).toHaveLength(2);
    expect(asked[0]).toHaveLength(3);
    expect(asked[1].length).toBeLessThan(3);
    expect(asked[1]).not.toContain(jobs[0]!.id);
    // With no onProgress to feed, each stream asks only for the jobs' ends.
    for (const call of calls.filter((c) => c.path === '/v1/jobs/events'))
      expect(JSON.parse(call.body!).status).toEqual(['completed', 'failed', 'canceled']);
  });

  it('waits for each job on its own where the server has no stream of many jobs', async () => {
    const { fetch, calls } = recording(async (_method, path) =>
      path === '/v1/jobs/events'
        ? new Response(
            JSON.stringify({ error: { code: 'not_found', message: 'Route POST:/v1/jobs/events not found' } }),
            {
              status: 404,
              headers: { 'content-type': 'application/json' },
            },
          )
        : undefined,
    );
    const client = new Longrun({ baseUrl: server.url, fetch });
    const jobs = await made(client, [simulate(0.2), simulate(0.1), simulate(0)]);
    const ended = await client.jobs.waitMany(jobs.map((j) => j.id));
    expect(ended.map((j) => [j.id, j.status])).toEqual(jobs.map((j) => [j.id, 'completed']));
    expect(calls.filter((c) => c.path === '/v1/jobs/events')).toHaveLength(1);
    for (const job of jobs) expect(calls.some((c) => c.path === `/v1/jobs/${job.id}/events`)).toBe(true);
  });

  it('throws NotFoundError for an id with no job, and WaitTimeoutError with what it saw at the deadline', async () => {
    const client = new Longrun({ baseUrl: server.url });
    const [job] = await made(client, [simulate(0)]);
    const missing = await client.jobs.waitMany([job!.id, 'no-such-job']).catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.code).toBe('job_not_found');

    const [slow] = await made(client, [simulate(30)]);
    const late = await client.jobs.waitMany([job!, slow!], { timeoutMs: 300 }).catch((e) => e);
    expect(late).toBeInstanceOf(WaitTimeoutError);
    expect((late.last as Job[]).map((j) => [j.id, j.status === 'completed'])).toEqual([
      [job!.id, true],
      [slow!.id, false],
    ]);
    await client.jobs.cancel(slow!.id);
  });

  it('gives back jobs that have already ended without asking the server', async () => {
    const { fetch, calls } = recording();
    const client = new Longrun({ baseUrl: server.url, fetch });
    const [job] = await made(client, [simulate(0)]);
    const done = await client.jobs.wait(job!);
    calls.length = 0;
    expect(await client.jobs.waitMany([done, done])).toEqual([done, done]);
    expect(calls).toEqual([]);
  });
});
