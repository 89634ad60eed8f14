import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer, waitBySse } from '@longrun/testkit';
import { describe, expect, it } from 'vitest';
import { call, eventually, readSse } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';

/**
 * examples/python-worker/worker.py, run by python3 as a real process against a
 * real server process: the remote-worker protocol (docs/workers.md) spoken by
 * Python's standard library alone. Jobs go through the client API only, as a
 * user's would; what the worker did is seen in the jobs, their SSE streams,
 * their artifacts, and the worker's own log and exit code.
 */
const WORKER = fileURLToPath(new URL('../../../../examples/python-worker/worker.py', import.meta.url));

useCleanup();

interface PythonWorker {
  /** What the worker wrote to stdout and stderr so far. */
  output: () => string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  signal: (signal: NodeJS.Signals) => void;
}

/** `python3 worker.py` against `url`, once it has registered. Killed after the test if still running. */
async function startWorker(url: string, env: Record<string, string> = {}): Promise<PythonWorker> {
  const proc = spawn('python3', [WORKER], {
    env: { ...process.env, LONGRUN_URL: url, LONGRUN_WORKER_NAME: 'py-test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  proc.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  let ended = false;
  exited.then(() => {
    ended = true;
  });
  afterThisTest(async () => {
    if (!ended) proc.kill('SIGKILL');
    await exited;
  });
  await eventually(async () => {
    if (ended) throw new Error(`worker.py exited before registering:\n${out}`);
    return /^registered wrk_\S+ serving py\.reverse/m.test(out);
  });
  return { output: () => out, exited, signal: (s) => proc.kill(s) };
}

type Headers = Record<string, string>;

async function submit(url: string, input: unknown, headers: Headers = {}): Promise<string> {
  const { status, body } = await call(url, 'POST', '/v1/jobs', {
    body: { type: 'py.reverse', input },
    headers,
  });
  expect(status, JSON.stringify(body)).toBe(202);
  return body.id;
}

async function terminal(url: string, id: string, headers: Headers = {}): Promise<any> {
  return (await waitBySse(url, id, { deadline: Date.now() + 15_000, headers })).terminal;
}

/** Wait until the worker has reported progress on the job: it is running there. */
async function running(url: string, id: string, headers: Headers = {}): Promise<any> {
  return eventually(async () => {
    const { body } = await call(url, 'GET', `/v1/jobs/${id}`, { headers });
    return body.status === 'running' && body.progress > 0 ? body : null;
  });
}

/** The declared type is listed and checked at submit; a job's progress reaches SSE; its artifact is served. */
async function checkHappyPath(url: string): Promise<void> {
  const types = (await call(url, 'GET', '/v1/types')).body.data;
  const declared = types.find((t: { type: string }) => t.type === 'py.reverse');
  expect(declared).toMatchObject({ input_schema: { required: ['text'], additionalProperties: false } });
  for (const input of [{ text: 5 }, {}, { text: 'hi', colour: 'red' }, { text: 'hi', steps: 0 }]) {
    const refused = await call(url, 'POST', '/v1/jobs', { body: { type: 'py.reverse', input } });
    expect(refused.status, JSON.stringify(input)).toBe(422);
    expect(refused.body.error.code).toBe('invalid_input');
  }

  const text = 'Hello, longrun!';
  const id = await submit(url, { text, step_ms: 100 });
  const events = await readSse(`${url}/v1/jobs/${id}/events`, {
    until: (e) => !!e.data && ['completed', 'failed', 'canceled'].includes(JSON.parse(e.data).status),
  });
  const seen = events.filter((e) => e.data).map((e) => JSON.parse(e.data));
  const done = seen.at(-1);
  expect(done).toMatchObject({
    status: 'completed',
    progress: 100,
    stage: 'done',
    attempt: 1,
    input: { text, steps: 5, step_ms: 100 },
    output: { text: '!nurgnol ,olleH', length: text.length },
  });
  const midway = seen.filter((j) => j.status === 'running' && j.progress > 0 && j.progress < 100);
  expect(midway.length).toBeGreaterThan(0);
  expect(midway.every((j) => j.stage === 'reversing' && /^step [1-4] of 5$/.test(j.message))).toBe(true);
  const progress = seen.map((j) => j.progress);
  expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  expect(done.logs).toEqual(
    expect.arrayContaining(["step 1/5: '!nu'", "step 5/5: '!nurgnol ,olleH'", 'uploaded reversed.txt']),
  );

  const [artifact] = done.output.artifacts;
  expect(artifact).toMatchObject({
    name: 'reversed.txt',
    size: text.length,
    url: `/v1/jobs/${id}/artifacts/reversed.txt`,
  });
  const file = await fetch(url + artifact.url);
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await file.text()).toBe('!nurgnol ,olleH');
}

describe('the Python example worker', () => {
  it('serves py.reverse: progress, artifact, its own failure, cancel, and SIGTERM after finishing its job', async () => {
    const server = await startServer();
    afterThisTest(server.close);
    const url = server.url;
    const worker = await startWorker(url);
    await checkHappyPath(url);

    // Text it cannot reverse: the worker's own error, failed for good (no second attempt).
    const accented = await submit(url, { text: 'cafe\u0301', step_ms: 0 });
    expect(await terminal(url, accented)).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'combining_marks_unsupported' },
    });

    // Canceled while running: the next heartbeat says so and the worker drops the job, free for the next.
    const slow = await submit(url, { text: 'slow', steps: 100, step_ms: 100 });
    await running(url, slow);
    const workers = (await call(url, 'GET', '/v1/workers')).body.data;
    expect(workers).toEqual([
      expect.objectContaining({
        name: 'py-test',
        types: ['py.reverse'],
        live: true,
        running: [expect.objectContaining({ id: slow })],
      }),
    ]);
    expect((await call(url, 'POST', `/v1/jobs/${slow}/cancel`)).body.status).toBe('canceled');
    await eventually(async () => worker.output().includes(`job ${slow} canceled: stopped`));
    const next = await submit(url, { text: 'next', step_ms: 0 });
    expect(await terminal(url, next)).toMatchObject({ status: 'completed', output: { text: 'txen' } });
    expect((await call(url, 'GET', `/v1/jobs/${slow}`)).body).toMatchObject({
      status: 'canceled',
      output: null,
    });
    expect((await call(url, 'GET', `/v1/jobs/${slow}/artifacts/reversed.txt`)).status).toBe(404);

    // SIGTERM mid-job: no more claims, the job finishes within the grace period, the process exits 0.
    const last = await submit(url, { text: 'last', steps: 5, step_ms: 200 });
    await running(url, last);
    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(await terminal(url, last)).toMatchObject({
      status: 'completed',
      attempt: 1,
      output: { text: 'tsal' },
    });
    expect(worker.output()).toMatch(/stopped\n$/);
    expect((await call(url, 'GET', '/v1/workers')).body.data).toEqual([]);
  });

  it('with a worker key: SIGTERM past the grace period releases the job; a lease lost is dropped; SIGTERM while idle', async () => {
    const client = { authorization: 'Bearer client-key' };
    const server = await startServer([
      ...['--api-keys', 'client-key:default', '--worker-keys', 'worker-key:py'],
      // A short lease, looked for often, so that a stopped worker loses it soon.
      ...['--lease', '2s', '--maintenance-interval', '200ms'],
    ]);
    afterThisTest(server.close);
    const url = server.url;
    const key = { LONGRUN_API_KEY: 'worker-key' };
    const first = await startWorker(url, { ...key, LONGRUN_GRACE_SECONDS: '0' });

    const id = await submit(url, { text: 'released', steps: 10, step_ms: 100 }, client);
    await running(url, id, client);
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain(`job ${id} released: stopped`);
    // Given back without counting the attempt.
    expect((await call(url, 'GET', `/v1/jobs/${id}`, { headers: client })).body).toMatchObject({
      status: 'queued',
      attempt: 0,
    });

    // The second worker takes it, then is frozen past its lease: the job is queued again, and once
    // thawed the worker's next heartbeat is refused (409 lease_lost), so it drops that attempt and
    // claims the job afresh.
    const second = await startWorker(url, key);
    await running(url, id, client);
    second.signal('SIGSTOP');
    await eventually(async () => {
      const { body } = await call(url, 'GET', `/v1/jobs/${id}`, { headers: client });
      return body.status === 'queued' && body.attempt === 1;
    });
    second.signal('SIGCONT');
    expect(await terminal(url, id, client)).toMatchObject({
      status: 'completed',
      attempt: 2,
      output: { text: 'desaeler' },
    });
    expect(second.output()).toMatch(new RegExp(`job ${id} lease lost \\(409 lease_lost: .*\\): stopped`));
    expect(second.output()).toContain(`job ${id} (py.reverse) attempt 2 of 3`);

    // Back in its long-poll, SIGTERM drops the poll and the worker leaves.
    await eventually(async () => second.output().includes(`job ${id} completed`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toMatch(/stopped\n$/);
  });
});

describePostgres('the Python example worker on PostgreSQL', () => {
  it('serves py.reverse end to end and exits 0 on SIGTERM', async () => {
    const schema = uniqueSchema('pyworker');
    afterThisTest(() => dropSchema(schema));
    const server = await startServer(['--database-url', PG_URL, '--database-schema', schema]);
    afterThisTest(server.close);
    const worker = await startWorker(server.url);
    await checkHappyPath(server.url);
    worker.signal('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
