import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir } from '@longrun/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defineType,
  type JobContext,
  JobFailure,
  type JobOutcome,
  JobStopped,
  UnprocessableEntityError,
  Worker,
  type WorkerJob,
  type WorkerOptions,
} from '../src/index.js';
import { type FakeCall, FakeServer, type FakeServerOptions, json } from './helpers/fake-server.js';

const BASE = 'http://fake.test';
const schema = { type: 'object', properties: { n: { type: 'integer' } } };

/** A promise with its resolve at hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('the condition did not hold in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A handler that runs until its signal fires, then throws its reason; `aborted` is that reason. */
function untilStopped() {
  const aborted = deferred<unknown>();
  const handler = (ctx: JobContext) =>
    new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted.resolve(ctx.signal.reason);
        reject(ctx.signal.reason);
      });
    });
  return { handler, aborted: aborted.promise };
}

const workers: Worker[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  for (const dir of dirs.splice(0)) removeDir(dir);
});

/** A Worker on a fake server, with its job starts and ends recorded; stopped after the test. */
function setup(
  run: (ctx: JobContext) => Promise<unknown>,
  options: Partial<WorkerOptions> = {},
  serverOptions: FakeServerOptions = {},
) {
  const server = new FakeServer(serverOptions);
  const started: WorkerJob[] = [];
  const ended: JobOutcome[] = [];
  const worker = new Worker({
    baseUrl: BASE,
    apiKey: 'wk',
    name: 'test-worker',
    fetch: server.fetch,
    waitSeconds: 1,
    drainSeconds: 5,
    types: [
      defineType({
        type: 'acme.thing',
        description: 'Does a thing',
        inputSchema: schema,
        queue: 'things',
        run: run as (ctx: JobContext) => Promise<Record<string, unknown>>,
      }),
    ],
    onJobStart: (job) => started.push(job),
    onJobEnd: (_job, outcome) => ended.push(outcome),
    ...options,
  });
  workers.push(worker);
  return { server, worker, started, ended };
}

describe('Worker against the protocol', () => {
  it('registers its types, runs a job, reports progress, logs and an artifact, and completes it', async () => {
    const dir = tempDir('longrun-worker-test-');
    dirs.push(dir);
    const file = join(dir, 'out.txt');
    writeFileSync(file, 'hello artifact');
    let seen: JobContext | undefined;
    const { server, worker, started, ended } = setup(async (ctx) => {
      seen = ctx;
      ctx.progress(40, { stage: 'working', message: 'half way' });
      ctx.log('one');
      ctx.log('two');
      await new Promise((r) => setTimeout(r, 250)); // long enough for a heartbeat to carry them
      const scratch = await ctx.tempDir();
      const artifact = await ctx.artifacts.put('out.txt', file, 'text/plain');
      return { n: (ctx.input as { n: number }).n * 2, scratch, artifacts: [artifact] };
    });
    await worker.start();
    expect(worker.id).toMatch(/^wrk_/);
    const register = server.calls[0]!;
    expect(register).toMatchObject({ method: 'POST', path: '/v1/workers' });
    expect(register.headers.authorization).toBe('Bearer wk');
    expect(register.body).toEqual({
      name: 'test-worker',
      types: [{ type: 'acme.thing', description: 'Does a thing', input_schema: schema, queue: 'things' }],
    });

    const job = server.submit('acme.thing', { n: 21 });
    await eventually(() => ended.length === 1);
    expect(ended[0]).toMatchObject({ status: 'completed' });
    expect(started[0]).toMatchObject({ id: job.id, type: 'acme.thing', attempt: 1, tenant: 'default' });
    expect(seen!.job).toMatchObject({
      id: job.id,
      attempt: 1,
      max_attempts: 3,
      metadata: {},
      tenant: 'default',
    });
    expect(seen!.job).not.toHaveProperty('input');
    expect(seen!.input).toEqual({ n: 21 });

    expect(job.state).toBe('completed');
    const output = job.output as { n: number; scratch: string; artifacts: unknown[] };
    expect(output.n).toBe(42);
    expect(output.artifacts).toEqual([
      { name: 'out.txt', content_type: 'text/plain', size: 14, url: `/v1/jobs/${job.id}/artifacts/out.txt` },
    ]);
    expect(server.artifacts.get(`${job.id}/out.txt`)).toEqual({ contentType: 'text/plain', bytes: 14 });
    const beat = server.callsTo('/heartbeat').find((c) => (c.body as { progress?: number }).progress === 40)!;
    expect(beat.body).toEqual({ progress: 40, stage: 'working', message: 'half way', logs: ['one', 'two'] });
    expect(beat.headers['lease-token']).toBe(`t-${job.id}-1`);
    expect(job.logs).toEqual(['one', 'two']);
    const [claim] = server.callsTo('/claim');
    expect(claim!.body).toEqual({ max_jobs: 1, wait_seconds: 1 });
    // The attempt's scratch folder is gone once it ends.
    const { existsSync } = await import('node:fs');
    expect(existsSync(output.scratch)).toBe(false);
  });

  it('sends what the handler reported last with the outcome', async () => {
    const { server, worker, ended } = setup(async (ctx) => {
      ctx.progress(100, { stage: 'done' });
      ctx.log('finished');
      return undefined;
    });
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => ended.length === 1);
    const [complete] = server.callsTo('/complete');
    expect(complete!.body).toEqual({ progress: 100, stage: 'done', logs: ['finished'], output: {} });
    expect(job.logs).toEqual(['finished']);
  });

  it('never runs more jobs than its concurrency, and claims only its free slots', async () => {
    let running = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const { server, worker, ended } = setup(
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
        return {};
      },
      { concurrency: 2 },
    );
    await worker.start();
    for (let i = 0; i < 5; i++) server.submit('acme.thing');
    await eventually(() => gates.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(worker.running).toBe(2);
    gates.shift()!();
    await eventually(() => gates.length === 2 && ended.length === 1);
    while (ended.length < 5) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(most).toBe(2);
    const maxJobs = server.callsTo('/claim').map((c) => (c.body as { max_jobs: number }).max_jobs);
    expect(maxJobs[0]).toBe(2);
    expect(Math.max(...maxJobs)).toBe(2);
    expect(maxJobs).toContain(1);
  });

  it('fails a job with the code of a JobFailure, and as processor_error for anything else', async () => {
    const { server, worker, ended } = setup(async (ctx) => {
      if ((ctx.input as { n: number }).n === 1)
        throw new JobFailure('gpu_out_of_memory', 'OOM', { retryable: false });
      if ((ctx.input as { n: number }).n === 2) throw new Error('boom');
      return [1, 2];
    });
    await worker.start();
    const a = server.submit('acme.thing', { n: 1 });
    await eventually(() => ended.length === 1);
    const b = server.submit('acme.thing', { n: 2 });
    await eventually(() => ended.length === 2);
    const c = server.submit('acme.thing', { n: 3 });
    await eventually(() => ended.length >= 3);
    await worker.stop();
    expect(a).toMatchObject({
      state: 'failed',
      error: { code: 'gpu_out_of_memory', message: 'OOM' },
      retry: false,
    });
    expect(ended[0]).toMatchObject({ status: 'failed', error: { code: 'gpu_out_of_memory' }, retry: false });
    expect(b).toMatchObject({ error: { code: 'processor_error', message: 'boom' }, retry: true });
    expect(c.error).toEqual({
      code: 'processor_error',
      message: 'The handler of acme.thing returned an array; return a JSON object (or nothing)',
    });
  });

  it('fires the handler’s signal when a heartbeat answers canceled, and reports nothing', async () => {
    const { handler, aborted } = untilStopped();
    const { server, worker, ended } = setup(handler);
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => server.callsTo('/heartbeat').length > 0);
    server.cancel(job.id);
    const reason = await aborted;
    expect(reason).toBeInstanceOf(JobStopped);
    expect((reason as JobStopped).reason).toBe('canceled');
    await eventually(() => ended.length === 1);
    expect(ended[0]!.status).toBe('canceled');
    expect(server.callsTo('/complete').length + server.callsTo('/fail').length).toBe(0);
  });

  it('frees the slot of a handler that ignores its signal', async () => {
    const { server, worker, ended } = setup(() => new Promise(() => {}), { drainSeconds: 0.1 });
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => worker.running === 1);
    server.cancel(job.id);
    await eventually(() => ended.length === 1);
    expect(worker.running).toBe(0);
    server.submit('acme.thing');
    await eventually(() => worker.running === 1);
  });

  it('stops a job whose heartbeat meets 409 lease_lost', async () => {
    const { handler, aborted } = untilStopped();
    const { server, worker, ended } = setup(handler);
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => worker.running === 1);
    job.token = 'someone-else';
    expect(((await aborted) as JobStopped).reason).toBe('lease_lost');
    await eventually(() => ended.length === 1);
    expect(ended[0]!.status).toBe('lease_lost');
    expect(server.callsTo('/fail')).toHaveLength(0);
  });

  it('sends the outcome again while the server cannot be reached, and drops it on lease_lost', async () => {
    let failures = 3;
    const { server, worker, ended } = setup(
      async () => ({ ok: true }),
      {},
      {
        leaseSeconds: 30,
        intercept: (call) => {
          if (call.path.endsWith('/complete') && failures-- > 0) return new TypeError('fetch failed');
          if (call.path.endsWith('/complete') && failures === -1)
            return json(503, { error: { code: 'store_unavailable' } });
          return undefined;
        },
      },
    );
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => ended.length === 1);
    expect(ended[0]!.status).toBe('completed');
    expect(job.state).toBe('completed');
    expect(server.callsTo('/complete')).toHaveLength(5);

    server.intercept = (call) =>
      call.path.endsWith('/complete')
        ? json(409, { error: { code: 'lease_lost', message: 'gone' } })
        : undefined;
    server.submit('acme.thing');
    await eventually(() => ended.length === 2);
    expect(ended[1]!.status).toBe('lease_lost');
    expect(server.callsTo('/complete')).toHaveLength(6);
  });

  it('gives up sending the outcome when the lease would have run out', async () => {
    const { server, worker, ended } = setup(
      async () => ({}),
      {},
      {
        leaseSeconds: 1,
        intercept: (call) => (call.path.endsWith('/complete') ? new TypeError('fetch failed') : undefined),
      },
    );
    await worker.start();
    server.submit('acme.thing');
    await eventually(() => ended.length === 1);
    expect(ended[0]!.status).toBe('unreported');
    expect(ended[0]!.durationMs).toBeLessThan(1500);
    expect(server.callsTo('/complete').length).toBeGreaterThan(1);
  });

  it('fails a job whose output the server refuses', async () => {
    const { server, worker, ended } = setup(
      async () => ({ big: true }),
      {},
      {
        intercept: (call) =>
          call.path.endsWith('/complete')
            ? json(413, { error: { code: 'output_too_large', message: 'The output is too large.' } })
            : undefined,
      },
    );
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => ended.length === 1);
    expect(job).toMatchObject({
      state: 'failed',
      error: {
        code: 'output_refused',
        message: 'The server refused the output: 413 The output is too large.',
      },
      retry: false,
    });
  });
});

describe('the claim loop', () => {
  it('reconnects with back-off after network errors and 5xx', async () => {
    let down = 4;
    const { server, worker, ended } = setup(
      async () => ({}),
      {},
      {
        intercept: (call) => {
          if (!call.path.endsWith('/claim') || down <= 0) return undefined;
          down--;
          return down % 2 ? new TypeError('fetch failed') : json(502, 'bad gateway');
        },
      },
    );
    await worker.start();
    server.submit('acme.thing');
    await eventually(() => ended.length === 1, 10_000);
    expect(server.callsTo('/claim').length).toBeGreaterThanOrEqual(5);
  });

  it('registers again on 404 worker_not_found', async () => {
    const { server, worker, ended } = setup(async () => ({}));
    await worker.start();
    const first = worker.id!;
    server.workers.delete(first);
    server.submit('acme.thing');
    await eventually(() => ended.length === 1);
    expect(worker.id).not.toBe(first);
    expect(server.callsTo('/v1/workers')).toHaveLength(2);
  });

  it('waits as long as a 429’s Retry-After says', async () => {
    const at: number[] = [];
    let limited = true;
    const { server, worker, ended } = setup(
      async () => ({}),
      {},
      {
        intercept: (call: FakeCall) => {
          if (!call.path.endsWith('/claim')) return undefined;
          at.push(Date.now());
          if (!limited) return undefined;
          limited = false;
          return json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '1' });
        },
      },
    );
    await worker.start();
    server.submit('acme.thing');
    await eventually(() => ended.length === 1);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950);
  });

  it('start() keeps trying while the server cannot be reached, and rejects a refusal', async () => {
    let down = 2;
    const { server, worker } = setup(
      async () => ({}),
      {},
      {
        intercept: (call) =>
          call.path === '/v1/workers' && down-- > 0 ? new TypeError('fetch failed') : undefined,
      },
    );
    await worker.start();
    expect(server.callsTo('/v1/workers')).toHaveLength(3);

    const { worker: refused } = setup(
      async () => ({}),
      {},
      {
        intercept: () => json(422, { error: { code: 'invalid_input_schema', message: 'does not compile' } }),
      },
    );
    const err = await refused.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnprocessableEntityError);
    expect(err).toMatchObject({ status: 422, code: 'invalid_input_schema' });
  });
});

describe('stop()', () => {
  it('claims nothing more, lets running jobs finish, and leaves', async () => {
    const gate = deferred();
    const { server, worker, ended } = setup(async () => {
      await gate.promise;
      return { done: true };
    });
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => worker.running === 1);
    const stopped = worker.stop();
    const claims = server.callsTo('/claim').length;
    const later = server.submit('acme.thing');
    await new Promise((r) => setTimeout(r, 100));
    gate.resolve();
    await stopped;
    expect(job.state).toBe('completed');
    expect(later.state).toBe('queued');
    expect(server.callsTo('/claim')).toHaveLength(claims);
    expect(ended.map((o) => o.status)).toEqual(['completed']);
    expect(server.calls.at(-1)).toMatchObject({ method: 'DELETE', path: `/v1/workers/${worker.id}` });
  });

  it('stops and releases the jobs still running when the drain ends', async () => {
    const aborted = deferred<unknown>();
    const { server, worker, ended } = setup(
      (ctx) =>
        new Promise(() => {
          ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
        }),
      { drainSeconds: 0.2 },
    );
    await worker.start();
    const job = server.submit('acme.thing');
    await eventually(() => worker.running === 1);
    await worker.stop();
    expect(((await aborted.promise) as JobStopped).reason).toBe('shutdown');
    expect(ended.map((o) => o.status)).toEqual(['released']);
    expect(server.callsTo('/release')).toHaveLength(1);
    expect(job.state).toBe('queued');
  });

  it('gives back the jobs of a claim answered just as it began, and starts none', async () => {
    let ran = false;
    let stopping: Promise<void> | undefined;
    const { server, worker, started } = setup(
      async () => {
        ran = true;
        return {};
      },
      {},
      {
        // The server has taken the job for this claim when stop() comes: its answer is on the way.
        intercept: (call) => {
          if (call.path.endsWith('/claim')) stopping ??= worker.stop();
          return undefined;
        },
      },
    );
    const job = server.submit('acme.thing');
    await worker.start();
    await eventually(() => stopping !== undefined);
    await stopping;
    expect(server.callsTo('/release')).toHaveLength(1);
    expect(job).toMatchObject({ state: 'queued', attempt: 0 });
    expect(ran).toBe(false);
    expect(started).toEqual([]);
  });

  it('may be called before start, and twice', async () => {
    const { worker } = setup(async () => ({}));
    await Promise.all([worker.stop(), worker.stop()]);
    await expect(worker.start()).rejects.toThrow(/start\(\) may be called once/);
  });
});
