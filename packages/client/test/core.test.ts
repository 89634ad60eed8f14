import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ConflictError,
  InternalServerError,
  Longrun,
  LongrunError,
  NotFoundError,
  RateLimitError,
  UnprocessableEntityError,
} from '../src/index.js';
import { retryAfterMs, retryDelayMs } from '../src/internal/retry-after.js';
import { hang, job, json, now, scriptedFetch } from './helpers.js';

const base = 'http://127.0.0.1:1';

describe('requests and retries', () => {
  it('retries 503, 500 and 429 and then returns the job', async () => {
    const { fetch, calls } = scriptedFetch([
      json(503, { error: { code: 'store_unavailable', message: 'down' } }, now),
      json(429, { error: { code: 'rate_limited', message: 'slow down' } }, now),
      json(200, job()),
    ]);
    const client = new Longrun({ baseUrl: base, fetch });
    const got = await client.jobs.get('j1');
    expect(got.id).toBe('j1');
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill(`${base}/v1/jobs/j1`));
  });

  it('gives up after maxRetries (2 by default) with the typed error of the last reply', async () => {
    const { fetch, calls } = scriptedFetch([
      json(500, { error: { code: 'internal_error', message: 'a' } }, now),
      json(502, 'bad gateway', now),
      json(500, { error: { code: 'internal_error', message: 'c' } }, { ...now, 'x-request-id': 'req-7' }),
    ]);
    const err = await new Longrun({ baseUrl: base, fetch }).jobs.get('j1').catch((e) => e);
    expect(calls).toHaveLength(3);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toBeInstanceOf(LongrunError);
    expect(err.name).toBe('InternalServerError');
    expect(err.status).toBe(500);
    expect(err.code).toBe('internal_error');
    expect(err.requestId).toBe('req-7');
    expect(err.headers.get('x-request-id')).toBe('req-7');
    expect(err.message).toBe('500 c');
  });

  it('does not retry a 404, a 422 or a lasting 409, and types each', async () => {
    const { fetch, calls } = scriptedFetch([
      json(404, { error: { code: 'job_not_found', message: 'No job with that id.' } }),
      json(422, { error: { code: 'invalid_input', message: 'bad', details: [{ path: '/x' }] } }),
      json(409, { error: { code: 'job_not_terminal', message: 'running' } }),
    ]);
    const client = new Longrun({ baseUrl: base, fetch });
    const notFound = await client.jobs.get('nope').catch((e) => e);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound.code).toBe('job_not_found');
    const invalid = await client.jobs.create({ type: 'simulate', input: { x: 1 } }).catch((e) => e);
    expect(invalid).toBeInstanceOf(UnprocessableEntityError);
    expect(invalid.details).toEqual([{ path: '/x' }]);
    const conflict = await client.jobs.delete('j1').catch((e) => e);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(calls).toHaveLength(3);
  });

  it('retries a 409 without a lasting code (a lock, a proxy)', async () => {
    const { fetch, calls } = scriptedFetch([json(409, 'busy', now), json(200, job())]);
    await new Longrun({ baseUrl: base, fetch }).jobs.get('j1');
    expect(calls).toHaveLength(2);
  });

  it('sends one idempotency key with a POST and the same key on its retries', async () => {
    const { fetch, calls } = scriptedFetch([
      new TypeError('fetch failed'),
      json(202, job({ status: 'queued' })),
    ]);
    const client = new Longrun({ baseUrl: base, fetch, apiKey: 'k1' });
    // The connection error is retried after the default backoff (0.5 s at most).
    await client.jobs.create({ type: 'simulate', input: { duration_seconds: 1 } });
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    expect(first!.headers['idempotency-key']).toMatch(/^longrun-client-/);
    expect(second!.headers['idempotency-key']).toBe(first!.headers['idempotency-key']);
    expect(first!.headers.authorization).toBe('Bearer k1');
    expect(JSON.parse(first!.body!)).toEqual({ type: 'simulate', input: { duration_seconds: 1 } });
    const { fetch: f2, calls: c2 } = scriptedFetch([json(202, job())]);
    await new Longrun({ baseUrl: base, fetch: f2 }).jobs.create(
      { type: 'simulate' },
      { idempotencyKey: 'order-1' },
    );
    expect(c2[0]!.headers['idempotency-key']).toBe('order-1');
  });

  it('turns a failed connection into APIConnectionError once the retries are spent', async () => {
    const { fetch, calls } = scriptedFetch([new TypeError('fetch failed')]);
    const err = await new Longrun({ baseUrl: base, fetch, maxRetries: 0 }).jobs.get('j1').catch((e) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(calls).toHaveLength(1);
  });

  it('times out a request that does not answer, as APIConnectionTimeoutError, and retries it', async () => {
    const { fetch, calls } = scriptedFetch([hang, hang]);
    const client = new Longrun({ baseUrl: base, fetch, timeoutMs: 30, maxRetries: 1 });
    const err = await client.jobs.get('j1').catch((e) => e);
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    expect(calls).toHaveLength(2);
  });

  it('stops at once on abort with APIUserAbortError, and does not retry it', async () => {
    const { fetch, calls } = scriptedFetch([hang]);
    const controller = new AbortController();
    const pending = new Longrun({ baseUrl: base, fetch }).jobs.get('j1', { signal: controller.signal });
    controller.abort();
    const err = await pending.catch((e) => e);
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(calls).toHaveLength(1);
  });

  it('lists page after page by itself', async () => {
    const { fetch, calls } = scriptedFetch([
      json(200, { data: [job({ id: 'a' }), job({ id: 'b' })], next_cursor: 'c1' }),
      json(200, { data: [job({ id: 'c' })], next_cursor: null }),
    ]);
    const client = new Longrun({ baseUrl: base, fetch });
    const ids: string[] = [];
    for await (const j of client.jobs.list({ status: ['running', 'queued'], pageSize: 2 })) ids.push(j.id);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(calls[0]!.url).toBe(`${base}/v1/jobs?status=running%2Cqueued&limit=2`);
    expect(calls[1]!.url).toBe(`${base}/v1/jobs?status=running%2Cqueued&limit=2&cursor=c1`);
  });

  it('refuses a baseUrl that is not http(s) with a message saying what to pass', () => {
    expect(() => new Longrun({ baseUrl: '127.0.0.1:8000' })).toThrow(/http\(s\) URL/);
  });
});

describe('Retry-After', () => {
  it('reads Poll-After-Ms, Retry-After-Ms, Retry-After seconds and dates', () => {
    expect(retryAfterMs(new Headers({ 'poll-after-ms': '250', 'retry-after': '1' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '40' }))).toBe(40);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const at = Date.parse('2026-01-01T00:00:10Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:12 GMT' }), at)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  it('honours Retry-After up to a minute, else backs off from 0.5 s to 8 s with jitter', () => {
    expect(retryDelayMs(0, new Headers({ 'retry-after': '7' }))).toBe(7000);
    const capped = retryDelayMs(0, new Headers({ 'retry-after': '3600' }), () => 0);
    expect(capped).toBe(500);
    expect(retryDelayMs(0, undefined, () => 0)).toBe(500);
    expect(retryDelayMs(0, undefined, () => 1)).toBe(375);
    expect(retryDelayMs(3, undefined, () => 0)).toBe(4000);
    expect(retryDelayMs(10, undefined, () => 0)).toBe(8000);
  });

  it('waits as long as a 429 says before retrying', async () => {
    const { fetch, calls } = scriptedFetch([
      json(429, { error: { code: 'rate_limited' } }, { 'retry-after-ms': '120' }),
      json(200, job()),
    ]);
    const times: number[] = [];
    const timed = async (input: string | URL | Request, init?: RequestInit) => {
      times.push(Date.now());
      return fetch(input, init);
    };
    await new Longrun({ baseUrl: base, fetch: timed }).jobs.get('j1');
    expect(calls).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(119);
  });

  it('a 429 that outlasts the retries is a RateLimitError', async () => {
    const { fetch } = scriptedFetch([
      json(429, { error: { code: 'rate_limited', message: 'slow' } }, { 'retry-after': '1' }),
    ]);
    const err = await new Longrun({ baseUrl: base, fetch, maxRetries: 0 }).jobs.get('j1').catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.headers.get('retry-after')).toBe('1');
  });
});
