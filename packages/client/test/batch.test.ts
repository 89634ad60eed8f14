import { type LongrunServer, startServer } from '@longrun/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { APIError, ConflictError, Longrun, UnprocessableEntityError } from '../src/index.js';
import { job, json, scriptedFetch } from './helpers.js';

const base = 'http://127.0.0.1:1';

describe('jobs.createMany', () => {
  it('sends every item with an idempotency key, and the same keys again on a retry', async () => {
    const { fetch, calls } = scriptedFetch([
      new TypeError('fetch failed'),
      json(200, { data: [{ status: 202, job: job({ id: 'a', status: 'queued' }) }] }),
    ]);
    const client = new Longrun({ baseUrl: base, fetch });
    const when = new Date('2030-01-01T00:00:00Z');
    await client.jobs.createMany([
      { type: 'simulate', input: { duration_seconds: 1 }, run_at: when },
      { type: 'simulate', idempotency_key: 'mine' },
    ]);
    expect(calls).toHaveLength(2);
    const [first, second] = calls.map((c) => JSON.parse(c.body!));
    expect(calls[0]!.url).toBe(`${base}/v1/jobs/batch`);
    expect(calls[0]!.method).toBe('POST');
    expect(first.jobs[0]).toEqual({
      type: 'simulate',
      input: { duration_seconds: 1 },
      run_at: '2030-01-01T00:00:00.000Z',
      idempotency_key: expect.stringMatching(/^longrun-client-/),
    });
    expect(first.jobs[1].idempotency_key).toBe('mine');
    expect(first.jobs[0].idempotency_key).not.toBe(first.jobs[1].idempotency_key);
    expect(second).toEqual(first);
  });

  it('gives one typed result per item, in order; a refused item is a result, not a throw', async () => {
    const { fetch } = scriptedFetch([
      json(
        200,
        {
          data: [
            { status: 202, job: job({ id: 'a', status: 'queued' }) },
            { status: 200, job: job({ id: 'b', status: 'running' }) },
            { status: 409, error: { code: 'job_exists', message: 'A job with id "c" already exists.' } },
            {
              status: 422,
              error: { code: 'invalid_input', message: 'bad', details: [{ path: '/x' }] },
            },
          ],
        },
        { 'x-request-id': 'req-9' },
      ),
    ]);
    const results = await new Longrun({ baseUrl: base, fetch }).jobs.createMany([
      { type: 'simulate' },
      { type: 'simulate' },
      { type: 'simulate', id: 'c' },
      { type: 'simulate', input: { x: 1 } },
    ]);
    expect(results.map((r) => [r.ok, r.status])).toEqual([
      [true, 202],
      [true, 200],
      [false, 409],
      [false, 422],
    ]);
    const [a, b, c, d] = results;
    if (!a!.ok || !b!.ok || c!.ok || d!.ok) throw new Error('unexpected outcomes');
    expect([a!.job.id, a!.replayed, b!.job.id, b!.replayed]).toEqual(['a', false, 'b', true]);
    expect(c!.error).toBeInstanceOf(ConflictError);
    expect(c!.error).toMatchObject({ code: 'job_exists', status: 409, requestId: 'req-9' });
    expect(d!.error).toBeInstanceOf(UnprocessableEntityError);
    expect(d!.error.details).toEqual([{ path: '/x' }]);
  });

  it('throws when the request as a whole is refused', async () => {
    const { fetch, calls } = scriptedFetch([
      json(413, { error: { code: 'batch_too_large', message: 'too many', details: { jobs: 2, limit: 1 } } }),
    ]);
    const err = await new Longrun({ baseUrl: base, fetch }).jobs
      .createMany([{ type: 'simulate' }, { type: 'simulate' }])
      .catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: 413, code: 'batch_too_large' });
    expect(calls).toHaveLength(1);
  });
});

describe('jobs.createMany against a real server', () => {
  let server: LongrunServer | undefined;
  afterAll(async () => {
    await server?.close();
  });

  it('creates nothing twice when the reply to a batch that was written is lost and the batch sent again', async () => {
    server = await startServer(['--concurrency', '1']);
    let lost = false;
    // The first reply is lost on its way back: the server wrote the batch, the client saw a cut connection.
    const fetchLosingOne: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!lost && String(input).endsWith('/v1/jobs/batch')) {
        lost = true;
        await response.arrayBuffer();
        throw new TypeError('fetch failed');
      }
      return response;
    };
    const client = new Longrun({ baseUrl: server.url, fetch: fetchLosingOne });
    const later = { type: 'simulate', input: { duration_seconds: 0 }, run_in_seconds: 86_400 };
    const results = await client.jobs.createMany([
      { ...later, metadata: { n: 1 } },
      { ...later, metadata: { n: 2 } },
      { ...later, id: '..' },
    ]);
    expect(lost).toBe(true);
    expect(results.map((r) => [r.ok, r.status])).toEqual([
      [true, 200],
      [true, 200],
      [false, 400],
    ]);
    const ids = results.flatMap((r) => (r.ok ? [r.job.id] : []));
    const listed: string[] = [];
    for await (const job of client.jobs.list()) listed.push(job.id);
    expect(listed.sort()).toEqual(ids.sort());
  });
});
