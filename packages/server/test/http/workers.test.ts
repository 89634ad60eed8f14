import { describe, expect, it } from 'vitest';
import { call, eventually, readSse, startApp } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';

useCleanup();

const UPSCALE = {
  type: 'acme.upscale',
  description: 'Upscale a video',
  input_schema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: { url: { type: 'string' }, factor: { type: 'integer', default: 2 } },
  },
};

type Call = Awaited<ReturnType<typeof call>>;

/** A remote worker speaking the protocol with plain requests, as any language would. */
async function register(url: string, types: object[] = [UPSCALE], headers: Record<string, string> = {}) {
  const r = await call(url, 'POST', '/v1/workers', { body: { name: 'test-worker', types }, headers });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; lease_seconds: number; heartbeat_seconds: number };
}

function leaseCall(url: string, worker: string, claimed: { ref: string; lease_token: string }) {
  return (action: string, body?: unknown): Promise<Call> =>
    call(url, 'POST', `/v1/workers/${worker}/jobs/${encodeURIComponent(claimed.ref)}/${action}`, {
      body: body ?? {},
      headers: { 'lease-token': claimed.lease_token },
    });
}

function protocolSuite(argv: () => string[]) {
  it('declares a type that /v1/types lists and submits validate; claims, reports, uploads and completes a job', async () => {
    const { url } = await startApp({ argv: argv() });
    const worker = await register(url);
    expect(worker.lease_seconds).toBe(30);

    const types = (await call(url, 'GET', '/v1/types')).body.data;
    expect(types.find((t: { type: string }) => t.type === 'acme.upscale')).toMatchObject({
      remote: true,
      available: true,
      queue: 'acme.upscale',
      input_schema: UPSCALE.input_schema,
    });
    const bad = await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { factor: 2 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_input');

    const created = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'acme.upscale', input: { url: 'https://example.com/v.mp4' } },
    });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const events = readSse(`${url}/v1/jobs/${id}/events`, {
      until: (e) => /"status":"(completed|failed|canceled)"/.test(e.data),
    });

    const claim = await call(url, 'POST', `/v1/workers/${worker.id}/claim`, { body: { wait_seconds: 5 } });
    expect(claim.status).toBe(200);
    expect(claim.body.jobs).toHaveLength(1);
    const [claimed] = claim.body.jobs;
    expect(claimed).toMatchObject({ ref: `default:${id}`, tenant: 'default' });
    expect(claimed.job).toMatchObject({
      id,
      status: 'running',
      attempt: 1,
      input: { url: 'https://example.com/v.mp4', factor: 2 },
    });
    const lease = leaseCall(url, worker.id, claimed);

    const beat = await lease('heartbeat', {
      progress: 40,
      stage: 'upscaling',
      message: 'frame 4/10',
      eta_seconds: 3,
      logs: ['decoded'],
    });
    expect(beat.status).toBe(200);
    expect(beat.body.canceled).toBe(false);
    expect(Date.parse(beat.body.lease_expires_at)).toBeGreaterThan(Date.now());

    const put = await fetch(`${url}/v1/workers/${worker.id}/jobs/${claimed.ref}/artifacts/out.txt`, {
      method: 'PUT',
      headers: { 'lease-token': claimed.lease_token, 'content-type': 'text/plain' },
      body: 'upscaled',
    });
    expect(put.status).toBe(200);
    const artifact = await put.json();
    expect(artifact).toMatchObject({ name: 'out.txt', content_type: 'text/plain', size: 8 });

    const done = await lease('complete', { output: { frames: 10, artifacts: [artifact] }, logs: ['done'] });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', output: { frames: 10 }, progress: 100 });

    const seen = (await events).map((e) => JSON.parse(e.data));
    expect(seen.some((j) => j.progress === 40 && j.stage === 'upscaling')).toBe(true);
    expect(seen.at(-1).status).toBe('completed');
    const file = await fetch(`${url}/v1/jobs/${id}/artifacts/out.txt`);
    expect(await file.text()).toBe('upscaled');
    const logs = (await call(url, 'GET', `/v1/jobs/${id}/logs`)).body.data.map(
      (l: { line: string }) => l.line,
    );
    expect(logs).toEqual(expect.arrayContaining(['decoded', 'done']));

    // The lease is spent: a replay is refused, and nothing changes.
    const replay = await lease('complete', { output: { frames: 0 } });
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('lease_lost');
    expect((await call(url, 'GET', `/v1/jobs/${id}`)).body.output.frames).toBe(10);
  });

  it('answers a waiting claim as soon as a job is queued, and an empty one after the wait', async () => {
    const { url } = await startApp({ argv: argv() });
    const worker = await register(url);
    const empty = await call(url, 'POST', `/v1/workers/${worker.id}/claim`, { body: { wait_seconds: 0.2 } });
    expect(empty.body.jobs).toEqual([]);
    const waiting = call(url, 'POST', `/v1/workers/${worker.id}/claim`, {
      body: { wait_seconds: 30, max_jobs: 5 },
    });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { url: 'x' } } });
    const got = await waiting;
    // Woken by the change, not by the end of its 30 s wait.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(got.body.jobs).toHaveLength(1);
  });

  it('takes nothing for a claim whose caller went away while it waited', async () => {
    const { url } = await startApp({ argv: argv() });
    const worker = await register(url);
    const gone = new AbortController();
    const abandoned = fetch(`${url}/v1/workers/${worker.id}/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ wait_seconds: 30 }),
      signal: gone.signal,
    }).catch(() => null);
    await new Promise((r) => setTimeout(r, 200));
    gone.abort();
    await abandoned;
    await new Promise((r) => setTimeout(r, 200));
    const { id } = (
      await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { url: 'x' } } })
    ).body;
    // Had the abandoned claim taken it, it would wait out a 30 s lease.
    const got = await call(url, 'POST', `/v1/workers/${worker.id}/claim`, { body: { wait_seconds: 5 } });
    expect(got.body.jobs.map((j: { job: { id: string } }) => j.job.id)).toEqual([id]);
    expect(got.body.jobs[0].job.attempt).toBe(1);
  });

  it('tells a heartbeat that the job was canceled, and refuses its outcome', async () => {
    const { url } = await startApp({ argv: argv() });
    const worker = await register(url);
    const { id } = (
      await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { url: 'x' } } })
    ).body;
    const [claimed] = (
      await call(url, 'POST', `/v1/workers/${worker.id}/claim`, { body: { wait_seconds: 5 } })
    ).body.jobs;
    expect((await call(url, 'POST', `/v1/jobs/${id}/cancel`)).status).toBe(200);
    const lease = leaseCall(url, worker.id, claimed);
    expect((await lease('heartbeat', { progress: 50 })).body).toEqual({
      canceled: true,
      lease_expires_at: null,
    });
    const late = await lease('complete', { output: {} });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('lease_lost');
    expect((await call(url, 'GET', `/v1/jobs/${id}`)).body.status).toBe('canceled');
  });

  it("fails a job with the worker's code, retries it when asked, and gives a released job back uncounted", async () => {
    const { url } = await startApp({ argv: argv() });
    const worker = await register(url);
    const { id } = (
      await call(url, 'POST', '/v1/jobs', {
        body: { type: 'acme.upscale', input: { url: 'x' }, max_attempts: 2 },
      })
    ).body;
    const claimNow = async () =>
      (await call(url, 'POST', `/v1/workers/${worker.id}/claim`, { body: { wait_seconds: 5 } })).body.jobs[0];
    let claimed = await claimNow();
    const retried = await leaseCall(
      url,
      worker.id,
      claimed,
    )('fail', {
      error: { code: 'gpu_out_of_memory', message: 'CUDA OOM' },
      retry: true,
      retry_in_seconds: 0,
    });
    expect(retried.body).toMatchObject({ status: 'queued', attempt: 1 });
    claimed = await claimNow();
    expect(claimed.job.attempt).toBe(2);
    const released = await leaseCall(url, worker.id, claimed)('release');
    expect(released.body).toMatchObject({ status: 'queued', attempt: 1 });
    claimed = await claimNow();
    const failed = await leaseCall(
      url,
      worker.id,
      claimed,
    )('fail', {
      error: { code: 'gpu_out_of_memory', message: 'CUDA OOM again' },
      retry: true,
    });
    expect(failed.body).toMatchObject({
      status: 'failed',
      error: { code: 'gpu_out_of_memory', message: 'CUDA OOM again' },
    });
    expect((await call(url, 'GET', `/v1/jobs/${id}`)).body.status).toBe('failed');
  });

  it('requeues the job of a worker that vanished when its lease runs out, and refuses the late outcome', async () => {
    const { url } = await startApp({ argv: [...argv(), '--lease', '1s', '--maintenance-interval', '200ms'] });
    const gone = await register(url);
    const next = await register(url);
    const { id } = (
      await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { url: 'x' } } })
    ).body;
    const [first] = (await call(url, 'POST', `/v1/workers/${gone.id}/claim`, { body: { wait_seconds: 5 } }))
      .body.jobs;
    const second = await call(url, 'POST', `/v1/workers/${next.id}/claim`, { body: { wait_seconds: 10 } });
    expect(second.body.jobs[0].job).toMatchObject({ id, attempt: 2 });
    const late = await leaseCall(url, gone.id, first)('complete', { output: { who: 'gone' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('lease_lost');
    const done = await leaseCall(url, next.id, second.body.jobs[0])('complete', { output: { who: 'next' } });
    expect(done.body).toMatchObject({ status: 'completed', output: { who: 'next' } });
  });

  it("checks a declared pattern in linear time, whatever the pattern and the caller's input", async () => {
    const { url } = await startApp({ argv: argv() });
    const schema = (pattern: string) => ({
      type: 'object',
      properties: { word: { type: 'string', pattern } },
    });
    await register(url, [{ type: 'acme.words', input_schema: schema('^(a+)+$') }]);
    // On a backtracking engine this input would never be answered (2^5000 ways to split it); RE2 answers at once.
    const r = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'acme.words', input: { word: `${'a'.repeat(5000)}!` } },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('invalid_input');
    const lookahead = await call(url, 'POST', '/v1/workers', {
      body: { types: [{ type: 'acme.look', input_schema: schema('^(?=a)') }] },
    });
    expect(lookahead.status).toBe(422);
    expect(lookahead.body.error.code).toBe('invalid_input_schema');
  });

  it('refuses bad calls with stable codes and changes nothing', async () => {
    const { url } = await startApp({ argv: [...argv(), '--max-file-size', '1k'] });
    const worker = await register(url);
    const expectError = (r: Call, status: number, code: string) => {
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.error.code).toBe(code);
    };
    const declare = (types: object[]) => call(url, 'POST', '/v1/workers', { body: { types } });
    expectError(
      await declare([{ type: 'simulate', input_schema: { type: 'object' } }]),
      409,
      'job_type_taken',
    );
    expectError(
      await declare([{ type: 'x.y', input_schema: { type: 'object', properties: { a: { type: 'nope' } } } }]),
      422,
      'invalid_input_schema',
    );
    expectError(
      await declare([{ type: 'x.y', input_schema: { type: 'string' } }]),
      422,
      'invalid_input_schema',
    );
    expectError(
      await declare([{ type: 'x.y', queue: 'simulate', input_schema: { type: 'object' } }]),
      422,
      'queue_not_allowed',
    );
    expectError(await declare([{ ...UPSCALE, queue: 'elsewhere' }]), 422, 'queue_not_allowed');
    expectError(await declare([]), 400, 'invalid_request');
    expect(
      (await call(url, 'GET', '/v1/types')).body.data.some((t: { type: string }) => t.type === 'x.y'),
    ).toBe(false);

    const claim = (body: object, who = worker.id) => call(url, 'POST', `/v1/workers/${who}/claim`, { body });
    expectError(await claim({ types: ['simulate'], wait_seconds: 0 }), 422, 'type_not_declared');
    expectError(await claim({ wait_seconds: 0 }, 'wrk_nope'), 404, 'worker_not_found');
    expectError(await claim({ max_jobs: 0 }), 400, 'invalid_request');
    expectError(await claim({ wait_seconds: 61 }), 400, 'invalid_request');
    // A queue shared with a type this worker does not serve.
    await register(url, [{ ...UPSCALE, type: 'acme.one', queue: 'shared' }]);
    const other = await register(url, [{ ...UPSCALE, type: 'acme.two', queue: 'shared' }]);
    expectError(await claim({ wait_seconds: 0 }, other.id), 409, 'queue_not_served');

    const { id } = (
      await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { url: 'x' } } })
    ).body;
    const { id: id2 } = (
      await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { url: 'y' } } })
    ).body;
    const claimed = (
      await call(url, 'POST', `/v1/workers/${worker.id}/claim`, { body: { wait_seconds: 5, max_jobs: 2 } })
    ).body.jobs as { ref: string; lease_token: string; job: { id: string } }[];
    expect(claimed).toHaveLength(2);
    const [a, b] = claimed;
    const path = (ref: string, action: string) =>
      `/v1/workers/${worker.id}/jobs/${encodeURIComponent(ref)}/${action}`;
    expectError(
      await call(url, 'POST', path(a!.ref, 'complete'), { body: { output: {} } }),
      400,
      'invalid_lease',
    );
    expectError(
      await call(url, 'POST', path('no-colon', 'complete'), {
        body: { output: {} },
        headers: { 'lease-token': a!.lease_token },
      }),
      400,
      'invalid_lease',
    );
    // The token of the other job.
    expectError(
      await call(url, 'POST', path(a!.ref, 'complete'), {
        body: { output: {} },
        headers: { 'lease-token': b!.lease_token },
      }),
      409,
      'lease_lost',
    );
    expectError(
      await call(url, 'POST', path('default:missing', 'complete'), {
        body: { output: {} },
        headers: { 'lease-token': a!.lease_token },
      }),
      404,
      'job_not_found',
    );
    expectError(
      await call(url, 'POST', path(a!.ref, 'fail'), {
        body: { error: { code: 'Bad Code', message: 'x' } },
        headers: { 'lease-token': a!.lease_token },
      }),
      400,
      'invalid_request',
    );
    const upload = (name: string, body: string) =>
      fetch(`${url}${path(a!.ref, `artifacts/${name}`)}`, {
        method: 'PUT',
        headers: { 'lease-token': a!.lease_token, 'content-type': 'application/octet-stream' },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json(), headers: r.headers }));
    expectError((await upload('big.bin', 'x'.repeat(1024 * 1024))) as Call, 413, 'artifact_too_large');
    expectError((await upload('.hidden', 'x')) as Call, 400, 'invalid_artifact_name');
    // The refused megabyte was dropped with its connection, not read as the next request.
    expect((await call(url, 'GET', '/v1/types')).status).toBe(200);
    // Every refused call left both jobs running under their leases.
    for (const job of [id, id2]) {
      expect((await call(url, 'GET', `/v1/jobs/${job}`)).body).toMatchObject({
        status: 'running',
        attempt: 1,
      });
    }
    expect((await leaseCall(url, worker.id, a!)('heartbeat')).body.canceled).toBe(false);
  });
}

describe('remote workers over HTTP (SQLite)', () => {
  protocolSuite(() => []);

  it('lists workers, what they serve and run, for operators', async () => {
    const { url } = await startApp();
    const worker = await register(url);
    await call(url, 'POST', '/v1/jobs', { body: { type: 'acme.upscale', input: { url: 'x' } } });
    await call(url, 'POST', `/v1/workers/${worker.id}/claim`, { body: { wait_seconds: 5 } });
    const list = await call(url, 'GET', '/v1/workers');
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      id: worker.id,
      name: 'test-worker',
      types: ['acme.upscale'],
      live: true,
      running: [{ tenant: 'default', type: 'acme.upscale' }],
    });
    expect((await call(url, 'DELETE', `/v1/workers/${worker.id}`)).status).toBe(204);
    expect((await call(url, 'GET', '/v1/workers')).body.data).toEqual([]);
  });

  it('keeps declared types across a restart: jobs are accepted and queue while no worker is live', async () => {
    const first = await startApp({ keepData: true });
    await register(first.url);
    await first.close();
    const again = await startApp({ dataDir: first.dataDir });
    const type = (await call(again.url, 'GET', '/v1/types')).body.data.find(
      (t: { type: string }) => t.type === 'acme.upscale',
    );
    expect(type).toMatchObject({ remote: true });
    const created = await call(again.url, 'POST', '/v1/jobs', {
      body: { type: 'acme.upscale', input: { url: 'x' } },
    });
    expect(created.status).toBe(202);
    await eventually(
      async () => (await call(again.url, 'GET', `/v1/jobs/${created.body.id}`)).body.status === 'queued',
    );
    // A claim with no body at all takes one job.
    const worker = await register(again.url);
    const claimed = await call(again.url, 'POST', `/v1/workers/${worker.id}/claim`);
    expect(claimed.body.jobs.map((j: { job: { id: string } }) => j.job.id)).toEqual([created.body.id]);
  });
});

describePostgres('remote workers over HTTP (PostgreSQL)', () => {
  let schema = '';
  protocolSuite(() => {
    schema = uniqueSchema('workers');
    const mine = schema;
    afterThisTest(() => dropSchema(mine));
    return ['--database-url', PG_URL, '--database-schema', schema];
  });
});
