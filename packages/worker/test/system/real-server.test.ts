import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Longrun } from '@longrun/client';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  defineType,
  type JobContext,
  type JobOutcome,
  JobStopped,
  Worker,
  type WorkerType,
} from '../../src/index.js';

/**
 * @longrun/worker against a real longrun server process: a type declared by
 * the worker is submitted through the client API like any other, its progress
 * reaches SSE, its output and artifact reach the client, a cancel reaches the
 * handler's signal, and stop() drains. Keys on, so roles are real too.
 */
const CLIENT_KEY = 'client-key-1';
const WORKER_KEY = 'worker-key-1';
const OPERATOR_KEY = 'operator-key-1';
/** A 3 s lease: the server asks for a heartbeat every second. */
const LEASE_SECONDS = 3;

let server: LongrunServer;
let client: Longrun;
const workers: Worker[] = [];

beforeAll(async () => {
  server = await startServer([
    '--lease',
    `${LEASE_SECONDS}s`,
    '--api-keys',
    `${CLIENT_KEY}:acme`,
    '--worker-keys',
    `${WORKER_KEY}:gpu-box`,
    '--operator-keys',
    `${OPERATOR_KEY}:ops`,
  ]);
  client = new Longrun({ baseUrl: server.url, apiKey: CLIENT_KEY });
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

function startWorker(
  types: WorkerType<never>[],
  options: { drainSeconds?: number; concurrency?: number } = {},
) {
  const ended: { id: string; outcome: JobOutcome }[] = [];
  const worker = new Worker({
    baseUrl: server.url,
    apiKey: WORKER_KEY,
    name: 'test-worker',
    types,
    waitSeconds: 5,
    onJobEnd: (job, outcome) => ended.push({ id: job.id, outcome }),
    ...options,
  });
  workers.push(worker);
  return { worker, ended };
}

/** Every snapshot of a job over SSE, until it ends. */
async function follow(id: string): Promise<Job[]> {
  const seen: Job[] = [];
  for await (const job of client.jobs.events(id)) seen.push(job);
  return seen;
}

/** GET /v1/workers, as an operator sees it. */
async function listWorkers(): Promise<
  { id: string; name: string; live: boolean; running: { id: string }[] }[]
> {
  const res = await fetch(`${server.url}/v1/workers`, {
    headers: { authorization: `Bearer ${OPERATOR_KEY}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: [] }).data;
}

async function runningSoon(id: string): Promise<Job> {
  for (const until = Date.now() + 15_000; Date.now() < until; ) {
    const job = await client.jobs.get(id);
    if (job.status === 'running') return job;
    await sleep(50);
  }
  throw new Error(`job ${id} did not start`);
}

describe('@longrun/worker against a real server', () => {
  it('serves a declared type: validated submit, progress over SSE, output and an artifact', async () => {
    let context: JobContext<{ text: string; repeat: number }> | undefined;
    const shout = defineType<{ text: string; repeat: number }>({
      type: 'test.shout',
      description: 'Shouts a text, slowly',
      inputSchema: {
        type: 'object',
        required: ['text'],
        additionalProperties: false,
        properties: { text: { type: 'string' }, repeat: { type: 'integer', minimum: 1, default: 2 } },
      },
      async run(ctx) {
        context = ctx;
        ctx.setEta(new Date(Date.now() + 2000));
        for (let step = 1; step <= 5; step++) {
          await sleep(300, undefined, { signal: ctx.signal });
          ctx.progress(step * 18, { stage: 'shouting', message: `step ${step} of 5` });
          ctx.log(`step ${step}`);
        }
        const dir = await ctx.tempDir();
        const file = join(dir, 'shout.txt');
        await writeFile(file, `${ctx.input.text.toUpperCase()}!\n`.repeat(ctx.input.repeat));
        const artifact = await ctx.artifacts.put('shout.txt', file, 'text/plain');
        return { shouted: ctx.input.text.toUpperCase(), artifacts: [artifact] };
      },
    });
    const { worker, ended } = startWorker([shout]);
    await worker.start();
    expect(worker.id).toMatch(/^wrk_/);

    // Declared types are listed and validated at submit, like the server's own.
    const types = (await (
      await fetch(`${server.url}/v1/types`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } })
    ).json()) as { data: { type: string; description: string; input_schema: unknown }[] };
    expect(types.data.find((t) => t.type === 'test.shout')).toMatchObject({
      description: 'Shouts a text, slowly',
    });
    const refused = await client.jobs
      .create({ type: 'test.shout', input: { text: 5 } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 422, code: 'invalid_input' });

    const job = await client.jobs.create({
      type: 'test.shout',
      input: { text: 'hello' },
      metadata: { by: 'test' },
    });
    const seen = await follow(job.id);
    const done = seen.at(-1)!;
    expect(done).toMatchObject({ status: 'completed', stage: 'shouting', message: 'step 5 of 5' });
    expect(done.output).toMatchObject({ shouted: 'HELLO' });
    // The server adds lines of its own (attempt started, completed) around the handler's.
    expect(done.logs.filter((l) => l.startsWith('step'))).toEqual([
      'step 1',
      'step 2',
      'step 3',
      'step 4',
      'step 5',
    ]);
    const midway = seen.filter((j) => j.status === 'running' && j.progress > 0 && j.progress < 100);
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.some((j) => j.eta !== null)).toBe(true);
    const progress = seen.map((j) => j.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    expect(context!.job).toMatchObject({
      id: job.id,
      type: 'test.shout',
      attempt: 1,
      tenant: 'acme',
      metadata: { by: 'test' },
    });
    expect(context!.input).toEqual({ text: 'hello', repeat: 2 }); // the schema's default filled in

    const [artifact] = (done.output as { artifacts: { name: string; size: number; url: string }[] })
      .artifacts;
    expect(artifact).toEqual({
      name: 'shout.txt',
      content_type: 'text/plain',
      size: 14,
      url: `/v1/jobs/${job.id}/artifacts/shout.txt`,
    });
    const body = await new Response(await client.jobs.download(job.id, 'shout.txt')).text();
    expect(body).toBe('HELLO!\nHELLO!\n');
    expect(ended).toEqual([{ id: job.id, outcome: expect.objectContaining({ status: 'completed' }) }]);
  });

  it('fails a job with the JobFailure’s code, and retries other errors', async () => {
    let attempts = 0;
    const flaky = defineType({
      type: 'test.flaky',
      inputSchema: { type: 'object', properties: { fatal: { type: 'boolean' } } },
      async run(ctx) {
        attempts++;
        if (ctx.input.fatal) {
          const { UnrecoverableError } = await import('../../src/index.js');
          throw new UnrecoverableError('bad_media', 'not a video');
        }
        if (ctx.job.attempt < 2) throw new Error('transient trouble');
        return { attempt: ctx.job.attempt };
      },
    });
    const { worker } = startWorker([flaky]);
    await worker.start();
    const fatal = await client.jobs.create({ type: 'test.flaky', input: { fatal: true }, max_attempts: 3 });
    const fatalEnd = await client.jobs.wait(fatal, { timeoutMs: 20_000 });
    expect(fatalEnd).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'bad_media', message: 'not a video' },
    });

    const retried = await client.jobs.create({ type: 'test.flaky', input: {}, max_attempts: 3 });
    const retriedEnd = await client.jobs.wait(retried, { timeoutMs: 20_000 });
    expect(retriedEnd).toMatchObject({ status: 'completed', attempt: 2, output: { attempt: 2 } });
    expect(attempts).toBe(3);
  });

  it('fires the handler’s signal within one heartbeat of a cancel', async () => {
    let aborted: { at: number; reason: unknown } | undefined;
    const slow = defineType({
      type: 'test.slow',
      inputSchema: { type: 'object' },
      run: (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = { at: Date.now(), reason: ctx.signal.reason };
            reject(ctx.signal.reason);
          });
        }),
    });
    const { worker, ended } = startWorker([slow]);
    await worker.start();
    const job = await client.jobs.create({ type: 'test.slow', input: {} });
    await runningSoon(job.id);
    const canceledAt = Date.now();
    expect((await client.jobs.cancel(job.id)).status).toBe('canceled');
    for (const until = Date.now() + 10_000; !aborted && Date.now() < until; ) await sleep(20);
    expect(aborted?.reason).toBeInstanceOf(JobStopped);
    expect((aborted!.reason as JobStopped).reason).toBe('canceled');
    // One heartbeat interval is LEASE_SECONDS / 3 = 1 s; the rest is a margin for a loaded machine.
    expect(aborted!.at - canceledAt).toBeLessThan(1000 + 1000);
    for (const until = Date.now() + 5000; ended.length === 0 && Date.now() < until; ) await sleep(20);
    expect(ended).toEqual([{ id: job.id, outcome: expect.objectContaining({ status: 'canceled' }) }]);
    expect(await client.jobs.get(job.id)).toMatchObject({ status: 'canceled', output: null });
  });

  it('stop() drains: no new claims, the running job finishes, the worker leaves', async () => {
    const gates: (() => void)[] = [];
    const gated = defineType({
      type: 'test.gated',
      inputSchema: { type: 'object' },
      run: () => new Promise((resolve) => gates.push(() => resolve({ finished: true }))),
    });
    const { worker, ended } = startWorker([gated]);
    await worker.start();
    const first = await client.jobs.create({ type: 'test.gated', input: {} });
    await runningSoon(first.id);
    // The handler has begun (not only the claim): stop() may otherwise meet the claim's answer on its way.
    for (const until = Date.now() + 5000; gates.length === 0 && Date.now() < until; ) await sleep(10);
    expect((await listWorkers()).find((w) => w.id === worker.id)).toMatchObject({
      name: 'test-worker',
      live: true,
      running: [{ id: first.id }],
    });
    const stopped = worker.stop();
    await sleep(200);
    const second = await client.jobs.create({ type: 'test.gated', input: {} });
    await sleep(1500); // more than a claim would take, were one still waiting
    expect((await client.jobs.get(second.id)).status).toBe('queued');
    gates.shift()!();
    await stopped;
    expect(await client.jobs.get(first.id)).toMatchObject({
      status: 'completed',
      output: { finished: true },
    });
    expect(ended.map((e) => e.outcome.status)).toEqual(['completed']);
    expect((await client.jobs.get(second.id)).status).toBe('queued');
    expect(gates).toHaveLength(0);
    expect((await listWorkers()).map((w) => w.id)).not.toContain(worker.id);

    // The drain's end releases what still runs: back to the queue, the attempt not counted.
    const { worker: next, ended: nextEnded } = startWorker([gated], { drainSeconds: 0.5 });
    await next.start();
    const held = await runningSoon(second.id);
    expect(held.attempt).toBe(1);
    await next.stop();
    expect(nextEnded.map((e) => e.outcome.status)).toEqual(['released']);
    expect(await client.jobs.get(second.id)).toMatchObject({ status: 'queued', attempt: 0 });
  });

  it('refuses a worker that uses a client key, with a typed error', async () => {
    const worker = new Worker({
      baseUrl: server.url,
      apiKey: CLIENT_KEY,
      types: [defineType({ type: 'test.nope', inputSchema: { type: 'object' }, run: async () => ({}) })],
    });
    const err = await worker.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PermissionDeniedError', status: 403, code: 'forbidden' });
  });
});
