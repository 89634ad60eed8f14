import { describe, expect, it } from 'vitest';
import { call, readSse, startApp as startServer } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { storeBackends } from '../helpers/postgres.js';

useCleanup();

/** A job that waits a day: nothing runs while a test looks at it. */
const later = { type: 'simulate', input: { duration_seconds: 0, error_rate: 0 }, run_in_seconds: 86_400 };

const backends = storeBackends('batch');

describe.each(backends)('POST /v1/jobs/batch on %s', (_name, store) => {
  const startApp = ({ argv = [] }: { argv?: string[] } = {}) => startServer({ argv: [...store(), ...argv] });

  it('answers each item in order, and one refused item keeps none of the others out', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    await call(url, 'POST', '/v1/jobs', { body: { ...later, id: 'taken' } });
    await call(url, 'POST', '/v1/jobs', { body: later, headers: { 'idempotency-key': 'k-single' } });
    const r = await call(url, 'POST', '/v1/jobs/batch', {
      body: {
        jobs: [
          { ...later, id: 'one', metadata: { n: 1 } },
          { ...later, id: 'taken' },
          { type: 'no.such.type' },
          { ...later, input: { duration_seconds: 'soon' } },
          { ...later, id: '..' },
          { ...later, idempotency_key: 'k-single' },
          { ...later, metadata: { other: true }, idempotency_key: 'k-single' },
          { ...later, priority: 1000 },
          { ...later, bogus: 1 },
          { ...later, id: 'two', priority: '5', idempotency_key: 'k-two' },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.data.map((d: any) => [d.status, d.job?.id ?? d.error.code])).toEqual([
      [202, 'one'],
      [409, 'job_exists'],
      [400, 'unknown_job_type'],
      [422, 'invalid_input'],
      [400, 'invalid_job_id'],
      [200, expect.any(String)],
      [409, 'idempotency_conflict'],
      [422, 'invalid_priority'],
      [400, 'invalid_request'],
      [202, 'two'],
    ]);
    expect(r.body.data[0].job).toMatchObject({ status: 'queued', version: 1, metadata: { n: 1 } });
    expect(r.body.data[0].job).not.toHaveProperty('tenant');
    expect(r.body.data[8].error.message).toBe('body.jobs[8].bogus is not a known field');
    expect(r.body.data[3].error.details).toEqual(expect.any(Array));
    // The same coercions as POST /v1/jobs: "5" is read as 5.
    expect(r.body.data[9].job.priority).toBe(5);
    const one = await call(url, 'GET', '/v1/jobs/one');
    // The reply to a create gives no queue position; a read of the job counts it.
    expect(r.body.data[0].job.queue_position).toBeNull();
    expect(one.body).toEqual({ ...r.body.data[0].job, queue_position: one.body.queue_position });
    expect(one.body.queue_position).toEqual(expect.any(Number));
    expect((await call(url, 'GET', '/v1/jobs?limit=50')).body.data).toHaveLength(4);
  });

  it('replays a batch sent again with the same idempotency keys, creating nothing twice', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const body = {
      jobs: Array.from({ length: 5 }, (_, i) => ({ ...later, metadata: { i }, idempotency_key: `b-${i}` })),
    };
    const first = await call(url, 'POST', '/v1/jobs/batch', { body });
    const again = await call(url, 'POST', '/v1/jobs/batch', { body });
    expect(first.body.data.map((d: any) => d.status)).toEqual([202, 202, 202, 202, 202]);
    expect(again.body.data.map((d: any) => d.status)).toEqual([200, 200, 200, 200, 200]);
    expect(again.body.data.map((d: any) => d.job.id)).toEqual(first.body.data.map((d: any) => d.job.id));
    // A key sent before by POST /v1/jobs with the same body is the same request.
    const single = await call(url, 'POST', '/v1/jobs', {
      body: { ...later, metadata: { i: 0 } },
      headers: { 'idempotency-key': 'b-0' },
    });
    expect(single.status).toBe(200);
    expect(single.body.id).toBe(first.body.data[0].job.id);
    expect((await call(url, 'GET', '/v1/jobs?limit=50')).body.data).toHaveLength(5);
  });

  it('refuses an empty list and a list longer than --max-batch-jobs, with stable codes', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--max-batch-jobs', '3'] });
    const empty = await call(url, 'POST', '/v1/jobs/batch', { body: { jobs: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_request');
    const none = await call(url, 'POST', '/v1/jobs/batch', { body: {} });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe('body.jobs is required');
    const notObjects = await call(url, 'POST', '/v1/jobs/batch', { body: { jobs: [1, 2] } });
    expect(notObjects.status).toBe(400);
    const big = await call(url, 'POST', '/v1/jobs/batch', {
      body: { jobs: Array.from({ length: 4 }, () => later) },
    });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'batch_too_large', details: { jobs: 4, limit: 3 } });
    expect((await call(url, 'GET', '/v1/jobs')).body.data).toHaveLength(0);
    const fits = await call(url, 'POST', '/v1/jobs/batch', {
      body: { jobs: Array.from({ length: 3 }, () => later) },
    });
    expect(fits.body.data.map((d: any) => d.status)).toEqual([202, 202, 202]);
  });

  it('takes 1,000 jobs by default, written in order', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const jobs = Array.from({ length: 1000 }, (_, i) => ({ ...later, id: `j-${i}` }));
    const r = await call(url, 'POST', '/v1/jobs/batch', { body: { jobs } });
    expect(r.body.data.map((d: any) => d.job.id)).toEqual(jobs.map((j) => j.id));
    const over = await call(url, 'POST', '/v1/jobs/batch', { body: { jobs: [...jobs, later] } });
    expect(over.body.error.code).toBe('batch_too_large');
  });

  it("keeps tenants apart: a batch makes the caller's jobs, and another tenant's ids and keys are free", async () => {
    const { url } = await startApp({
      argv: ['--role', 'api', '--api-keys', 'key-alice-1:alice,key-bob-22:bob'],
    });
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const body = { jobs: [{ ...later, id: 'shared', idempotency_key: 'k' }] };
    const alice = await call(url, 'POST', '/v1/jobs/batch', { body, headers: as('key-alice-1') });
    const bob = await call(url, 'POST', '/v1/jobs/batch', {
      body: { jobs: [{ ...later, id: 'shared', idempotency_key: 'k', metadata: { bob: true } }] },
      headers: as('key-bob-22'),
    });
    expect(alice.body.data[0].status).toBe(202);
    expect(bob.body.data[0]).toMatchObject({ status: 202, job: { metadata: { bob: true } } });
    const seen = await call(url, 'GET', '/v1/jobs/shared', { headers: as('key-alice-1') });
    expect(seen.body.metadata).toEqual({});
    const anonymous = await call(url, 'POST', '/v1/jobs/batch', { body });
    expect(anonymous.status).toBe(401);
  });

  it('publishes each created job like a single create: the event stream hears of it', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const controller = new AbortController();
    const seen = readSse(`${url}/v1/events`, {
      signal: controller.signal,
      until: (e) => e.event === 'job' && JSON.parse(e.data).id === 'b',
    });
    await new Promise((r) => setTimeout(r, 100));
    await call(url, 'POST', '/v1/jobs/batch', {
      body: { jobs: [{ ...later, id: 'a' }, { type: 'nope' }, { ...later, id: 'b' }] },
    });
    const events = (await seen).filter((e) => e.event === 'job').map((e) => JSON.parse(e.data));
    expect(events.map((j) => [j.id, j.status])).toEqual([
      ['a', 'queued'],
      ['b', 'queued'],
    ]);
  });

  it("checks each item's uploaded files and input size as POST /v1/jobs does", async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--max-data-url-size', '1k'] });
    const image = (image_url: string) => ({
      type: 'image.to_video',
      input: { image_url },
      run_in_seconds: 86_400,
    });
    const big = `data:image/png;base64,${'A'.repeat(2000)}`;
    const r = await call(url, 'POST', '/v1/jobs/batch', {
      body: {
        jobs: [image('file_0123456789abcdef01234567'), image(big), image('https://example.com/a.png')],
      },
    });
    expect(r.body.data.map((d: any) => [d.status, d.error?.code ?? d.job.status])).toEqual([
      [404, 'file_not_found'],
      [413, 'input_too_large'],
      [202, 'queued'],
    ]);
  });

  it('draws on the budget of job submissions: one request per batch', async () => {
    const { url } = await startApp({
      argv: ['--role', 'api', '--rate-limit-create', '2', '--rate-limit-read', '0'],
    });
    const body = { jobs: [later, later] };
    expect((await call(url, 'POST', '/v1/jobs/batch', { body })).status).toBe(200);
    expect((await call(url, 'POST', '/v1/jobs', { body: later })).status).toBe(202);
    const over = await call(url, 'POST', '/v1/jobs/batch', { body });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
  });

  it('runs the jobs it creates', async () => {
    const { url } = await startApp();
    const r = await call(url, 'POST', '/v1/jobs/batch', {
      body: { jobs: [{ type: 'simulate', input: { duration_seconds: 0, error_rate: 0 } }] },
    });
    const id = r.body.data[0].job.id;
    const done = await call(url, 'GET', `/v1/jobs/${id}?wait=10&until=terminal`);
    expect(done.body.status).toBe('completed');
  });
});
