import { describe, expect, it } from 'vitest';
import { encodeCursor, jobPageJson, LIST_PAGE_MAX_BYTES } from '../../src/http/jobs.js';
import { call, eventually, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { expectOneJobFromConcurrentPosts } from '../helpers/idempotency.js';
import { storedJob } from '../helpers/jobs.js';

useCleanup();

const quick = { type: 'simulate', input: { duration_seconds: 0.3, error_rate: 0 } };

describe('POST /v1/jobs', () => {
  it('answers 202 with Location, ETag, a poll hint and the queued job', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const r = await call(url, 'POST', '/v1/jobs', { body: { ...quick, metadata: { user: 'u1' } } });
    expect(r.status).toBe(202);
    expect(r.headers.get('location')).toBe(`/v1/jobs/${r.body.id}`);
    expect(r.headers.get('etag')).toBe('"1"');
    expect(Number(r.headers.get('poll-after-ms'))).toBeGreaterThan(0);
    expect(r.body).toMatchObject({
      type: 'simulate',
      status: 'queued',
      progress: 0,
      version: 1,
      attempt: 0,
      max_attempts: 3,
      // Counted by a read of the job, not by its create (docs/api.md).
      queue_position: null,
      metadata: { user: 'u1' },
      input: { duration_seconds: 0.3, error_rate: 0 },
    });
    expect(typeof r.body.input.seed).toBe('number');
    expect(r.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.body).not.toHaveProperty('tenant');
    expect(r.body).not.toHaveProperty('lease_owner');
  });

  it('fills defaults: the server error rate and a stored seed', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--simulate-error-rate', '0.35'] });
    const r = await call(url, 'POST', '/v1/jobs', { body: { type: 'simulate' } });
    expect(r.body.input).toMatchObject({ duration_seconds: 20, error_rate: 0.35 });
    expect(Number.isInteger(r.body.input.seed)).toBe(true);
  });

  it('holds the reply with Prefer: wait until the job ends', async () => {
    const { url } = await startApp();
    const r = await call(url, 'POST', '/v1/jobs', { body: quick, headers: { prefer: 'wait=10' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'completed', progress: 100 });
    expect(r.headers.get('preference-applied')).toBe('wait=10');
  });

  it('stops holding the reply with Prefer: wait once the client goes away', async () => {
    const { url, app } = await startApp({ argv: ['--role', 'api'] });
    // The jobs the server follows for a held reply: the test sees its watch begin and end.
    const { feed } = app.longrun;
    const followed = new Set<string>();
    const subscribe = feed.subscribe.bind(feed);
    feed.subscribe = (tenant, id, listener) => {
      followed.add(id);
      const off = subscribe(tenant, id, listener);
      return () => {
        followed.delete(id);
        off();
      };
    };
    const held = new AbortController();
    const request = fetch(`${url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=30' },
      body: JSON.stringify({ ...quick, id: 'held' }),
      signal: held.signal,
    }).catch(() => null);
    await eventually(async () => (await call(url, 'GET', '/v1/jobs/held')).status === 200);
    expect(followed.has('held')).toBe(true);
    held.abort();
    await request;
    // Not after its 30 s: the wait ends as the connection closes.
    await eventually(async () => !followed.has('held'), 5_000);
  });

  it('answers 202 when Prefer: wait runs out first', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const r = await call(url, 'POST', '/v1/jobs', { body: quick, headers: { prefer: 'wait=0.2' } });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('queued');
  });

  it('returns the same job for a repeated Idempotency-Key, and 409 for another body', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const headers = { 'idempotency-key': 'key-1' };
    const first = await call(url, 'POST', '/v1/jobs', { body: quick, headers });
    const again = await call(url, 'POST', '/v1/jobs', { body: quick, headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const other = await call(url, 'POST', '/v1/jobs', { body: { ...quick, metadata: { x: 1 } }, headers });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
  });

  it('creates one job for 20 concurrent requests with one Idempotency-Key', async () => {
    const { url, app } = await startApp({ argv: ['--role', 'api'] });
    await expectOneJobFromConcurrentPosts([url], quick, 'race');
    expect((await app.longrun.store.countByStatus()).queued).toBe(1);
  });

  it('accepts a client-chosen id once', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const a = await call(url, 'POST', '/v1/jobs', { body: { ...quick, id: 'my.job:1_A-b' } });
    expect(a.status).toBe(202);
    expect(a.body.id).toBe('my.job:1_A-b');
    const b = await call(url, 'POST', '/v1/jobs', { body: { ...quick, id: 'my.job:1_A-b' } });
    expect(b.status).toBe(409);
    expect(b.body.error.code).toBe('job_exists');
  });
});

describe('bad input gets a 4xx with a stable code and changes nothing', () => {
  const json = { 'content-type': 'application/json' };
  const cases: {
    name: string;
    method?: string;
    path?: string;
    body?: string;
    headers?: Record<string, string>;
    status: number;
    code: string;
    message?: RegExp;
  }[] = [
    {
      name: 'malformed JSON',
      body: '{"type": "simulate",',
      headers: json,
      status: 400,
      code: 'invalid_json',
    },
    { name: 'a JSON array body', body: '[1,2]', headers: json, status: 400, code: 'invalid_request' },
    {
      name: 'a wrong content type',
      body: 'type=simulate',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'no type',
      body: '{}',
      headers: json,
      status: 400,
      code: 'invalid_request',
      message: /type is required/,
    },
    {
      name: 'an unknown field',
      body: '{"type":"simulate","colour":1}',
      headers: json,
      status: 400,
      code: 'invalid_request',
      message: /colour/,
    },
    {
      name: 'an unknown type',
      body: '{"type":"teleport"}',
      headers: json,
      status: 400,
      code: 'unknown_job_type',
    },
    {
      name: 'input failing its schema',
      body: '{"type":"simulate","input":{"duration_seconds":-1}}',
      headers: json,
      status: 422,
      code: 'invalid_input',
      message: /input\.duration_seconds/,
    },
    {
      name: 'an absurd duration',
      body: '{"type":"simulate","input":{"duration_seconds":1e308}}',
      headers: json,
      status: 422,
      code: 'invalid_input',
      message: /duration_seconds/,
    },
    {
      name: 'an unknown input field',
      body: '{"type":"simulate","input":{"speed":2}}',
      headers: json,
      status: 422,
      code: 'invalid_input',
      message: /input\.speed/,
    },
    {
      name: 'a missing required input field',
      body: '{"type":"video.translate","input":{"target_language":"es"}}',
      headers: json,
      status: 422,
      code: 'invalid_input',
      message: /input\.video_url is required/,
    },
    {
      name: 'input that is not an object',
      body: '{"type":"simulate","input":"fast"}',
      headers: json,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an id with bad characters',
      body: '{"type":"simulate","id":"a/b"}',
      headers: json,
      status: 400,
      code: 'invalid_job_id',
    },
    {
      name: 'text.to_video text with a NUL (speech and captions stopped at it)',
      body: JSON.stringify({ type: 'text.to_video', input: { text: 'Hello\u0000 world' } }),
      headers: json,
      status: 422,
      code: 'invalid_input',
      message: /^input\.text must not contain NUL or other control characters/,
    },
    {
      name: 'text.to_video text with another C0 control character',
      body: JSON.stringify({ type: 'text.to_video', input: { text: 'Ring \u0007 the bell' } }),
      headers: json,
      status: 422,
      code: 'invalid_input',
    },
    {
      name: 'an id of dots alone (a path segment meaning this or the parent folder)',
      body: '{"type":"simulate","id":".."}',
      headers: json,
      status: 400,
      code: 'invalid_job_id',
    },
    {
      name: 'an id over 128 characters',
      body: JSON.stringify({ type: 'simulate', id: 'a'.repeat(129) }),
      headers: json,
      status: 400,
      code: 'invalid_job_id',
    },
    {
      name: 'max_attempts of 0',
      body: '{"type":"simulate","max_attempts":0}',
      headers: json,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'max_attempts of 1000',
      body: '{"type":"simulate","max_attempts":1000}',
      headers: json,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a wait over 60',
      body: '{"type":"simulate"}',
      headers: { ...json, prefer: 'wait=61' },
      status: 400,
      code: 'invalid_wait',
    },
    {
      name: 'a negative wait',
      body: '{"type":"simulate"}',
      headers: { ...json, prefer: 'wait=-1' },
      status: 400,
      code: 'invalid_wait',
    },
    {
      name: 'a body over the limit',
      body: JSON.stringify({ type: 'simulate', metadata: { x: 'y'.repeat(4 * 1024 * 1024) } }),
      headers: json,
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'metadata over 16 KB',
      body: JSON.stringify({ type: 'simulate', metadata: { x: 'y'.repeat(17_000) } }),
      headers: json,
      status: 400,
      code: 'invalid_request',
    },
    {
      // Past 64 KiB a body is parsed in a turn of its own: refused the same way.
      name: 'malformed long JSON',
      body: `{"type":"simulate","metadata":{"pad":"${'x'.repeat(70_000)}"}`,
      headers: json,
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'deeply nested JSON',
      body: `{"type":"simulate","metadata":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`,
      headers: json,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a __proto__ key',
      body: '{"type":"simulate","metadata":{"__proto__":{"x":1}}}',
      headers: json,
      status: 400,
      code: 'invalid_json',
    },
    {
      name: 'a GET of an unknown job',
      method: 'GET',
      path: '/v1/jobs/nope',
      status: 404,
      code: 'job_not_found',
    },
    {
      name: 'a GET with a bad id',
      method: 'GET',
      path: `/v1/jobs/${'x'.repeat(200)}`,
      status: 400,
      code: 'invalid_job_id',
    },
    {
      name: 'a long-poll wait over 60',
      method: 'GET',
      path: '/v1/jobs/nope?wait=61',
      status: 400,
      code: 'invalid_wait',
    },
    {
      name: 'a long-poll wait that is not a number',
      method: 'GET',
      path: '/v1/jobs/nope?wait=soon',
      status: 400,
      code: 'invalid_wait',
    },
    {
      name: 'a bad since',
      method: 'GET',
      path: '/v1/jobs/nope?wait=1&since=-3',
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a list limit over 200',
      method: 'GET',
      path: '/v1/jobs?limit=201',
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a list limit of -1',
      method: 'GET',
      path: '/v1/jobs?limit=-1',
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a forged cursor',
      method: 'GET',
      path: '/v1/jobs?cursor=bm9wZQ',
      status: 400,
      code: 'invalid_cursor',
    },
    {
      name: 'an unknown status filter',
      method: 'GET',
      path: '/v1/jobs?status=paused',
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'cancel of an unknown job',
      method: 'POST',
      path: '/v1/jobs/nope/cancel',
      status: 404,
      code: 'job_not_found',
    },
    {
      name: 'delete of an unknown job',
      method: 'DELETE',
      path: '/v1/jobs/nope',
      status: 404,
      code: 'job_not_found',
    },
    {
      name: 'logs of an unknown job',
      method: 'GET',
      path: '/v1/jobs/nope/logs',
      status: 404,
      code: 'job_not_found',
    },
    {
      name: 'a bad logs cursor',
      method: 'GET',
      path: '/v1/jobs/nope/logs?cursor=abc',
      status: 400,
      code: 'invalid_request',
    },
    { name: 'an unknown route', method: 'GET', path: '/v2/everything', status: 404, code: 'route_not_found' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const { url, app } = await startApp({ argv: ['--role', 'api'] });
      const existing = await call(url, 'POST', '/v1/jobs', { body: quick });
      const before = await app.longrun.store.list({ limit: 100 });
      const r = await call(url, c.method ?? 'POST', c.path ?? '/v1/jobs', {
        ...(c.body === undefined ? {} : { body: c.body }),
        headers: c.headers ?? {},
      });
      expect(r.status).toBe(c.status);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.body).toEqual({
        error: expect.objectContaining({ code: c.code, message: expect.any(String) }),
      });
      if (c.message) expect(r.body.error.message).toMatch(c.message);
      expect(await app.longrun.store.list({ limit: 100 })).toEqual(before);
      expect(existing.status).toBe(202);
    });
  }
});

describe('input size limits', () => {
  it('refuses a data: URL over --max-data-url-size in any URL field, and an input over --max-input-size, with 413 input_too_large', async () => {
    const { url, app } = await startApp({
      argv: ['--role', 'api', '--max-data-url-size', '1k', '--max-input-size', '4k'],
    });
    const dataUrl = (chars: number) => {
      const head = 'data:image/png;base64,';
      return head + 'A'.repeat(chars - head.length);
    };
    const tooLarge: [string, Record<string, unknown>, string][] = [
      ['image.to_video', { image_url: dataUrl(1025) }, 'input.image_url'],
      ['text.to_video', { text: 'Hi.', background: dataUrl(1025) }, 'input.background'],
      ['document.translate', { document_url: dataUrl(1025), target_language: 'de' }, 'input.document_url'],
    ];
    for (const [type, input, field] of tooLarge) {
      const r = await call(url, 'POST', '/v1/jobs', { body: { type, input } });
      expect(r.status, type).toBe(413);
      expect(r.body.error).toMatchObject({
        code: 'input_too_large',
        message: expect.stringMatching(/POST \/v1\/files/),
        details: { field, size: 1025, limit: 1024 },
      });
    }
    // At the limit, a data: URL is taken (its job fails later on the bytes, which is not this test's concern).
    const atLimit = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'image.to_video', input: { image_url: dataUrl(1024) } },
    });
    expect(atLimit.status).toBe(202);
    const whole = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'text.to_video', input: { text: 'Word. '.repeat(800) } },
    });
    expect(whole.status).toBe(413);
    expect(whole.body.error).toMatchObject({
      code: 'input_too_large',
      details: { field: 'input', limit: 4096 },
    });
    // Too large is said first, however else the input is wrong: a field of no schema, a type of none.
    for (const type of ['text.to_video', 'no.such_type']) {
      const both = await call(url, 'POST', '/v1/jobs', {
        body: { type, input: { text: 'Hi.', padding: 'x'.repeat(5000) } },
      });
      expect(both.status, type).toBe(413);
      expect(both.body.error.code).toBe('input_too_large');
    }
    // A seed route that takes URLs answers in its own shape, with the same status.
    const seed = await call(url, 'POST', '/v1/image/convert/video', { body: { image_url: dataUrl(1025) } });
    expect(seed.status).toBe(413);
    expect(seed.body).toEqual({
      error: expect.stringMatching(/^image_url is a data: URL of 1025 characters/),
    });
    expect((await app.longrun.store.countByStatus()).queued).toBe(1);
  });
});

describe('GET /v1/jobs/{id}', () => {
  it('serves the job with an ETag and answers 304 to If-None-Match', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const { body: job } = await call(url, 'POST', '/v1/jobs', { body: quick });
    const r = await call(url, 'GET', `/v1/jobs/${job.id}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe('"1"');
    expect(r.headers.get('retry-after')).toBe('1');
    const again = await fetch(`${url}/v1/jobs/${job.id}`, { headers: { 'if-none-match': '"1"' } });
    expect(again.status).toBe(304);
  });

  it('long-polls until the next version, or until the job ends', async () => {
    const { url } = await startApp();
    const { body: job } = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 1, error_rate: 0 } },
    });
    const next = await call(url, 'GET', `/v1/jobs/${job.id}?wait=30&since=1`);
    expect(next.body.version).toBeGreaterThan(1);
    let current = next.body;
    while (current.status !== 'completed') {
      const r = await call(url, 'GET', `/v1/jobs/${job.id}?wait=30&since=${current.version}`);
      expect(r.body.version).toBeGreaterThan(current.version);
      current = r.body;
    }
    expect(current.progress).toBe(100);
    const done = await call(url, 'GET', `/v1/jobs/${job.id}?wait=30&since=${current.version}`);
    expect(done.body.version).toBe(current.version);
    expect(done.headers.get('poll-after-ms')).toBeNull();
  });

  it('with until=terminal, holds one long-poll through every change until the job ends', async () => {
    const { url } = await startApp();
    const { body: job } = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 1, error_rate: 0 } },
    });
    const r = await call(url, 'GET', `/v1/jobs/${job.id}?wait=30&until=terminal`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('completed');
    expect(r.body.version).toBeGreaterThan(3);
    const running = await call(url, 'POST', '/v1/jobs', { body: quick, headers: {} });
    const held = await call(url, 'GET', `/v1/jobs/${running.body.id}?wait=0.1&until=terminal`);
    expect(['queued', 'running', 'completed']).toContain(held.body.status);
    const bad = await call(url, 'GET', `/v1/jobs/${job.id}?wait=1&until=later`);
    expect(bad.status).toBe(400);
  });

  it('answers a long-poll with the unchanged job when the wait runs out', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const { body: job } = await call(url, 'POST', '/v1/jobs', { body: quick });
    const r = await call(url, 'GET', `/v1/jobs/${job.id}?wait=0.2`);
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(1);
  });
});

describe('listing, canceling, deleting, logs', () => {
  it('lists newest first with filters and a cursor', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await call(url, 'POST', '/v1/jobs', { body: quick })).body.id);
    await call(url, 'POST', '/v1/jobs', {
      body: {
        type: 'video.translate',
        input: { video_url: 'https://example.com/v.mp4', target_language: 'es' },
      },
    });
    const page1 = await call(url, 'GET', '/v1/jobs?type=simulate&limit=3');
    expect(page1.body.data.map((j: { id: string }) => j.id)).toEqual(ids.slice(2).reverse());
    const page2 = await call(url, 'GET', `/v1/jobs?type=simulate&limit=3&cursor=${page1.body.next_cursor}`);
    expect(page2.body.data.map((j: { id: string }) => j.id)).toEqual(ids.slice(0, 2).reverse());
    expect(page2.body.next_cursor).toBeNull();
    await call(url, 'POST', `/v1/jobs/${ids[0]}/cancel`);
    const canceled = await call(url, 'GET', '/v1/jobs?status=canceled,completed');
    expect(canceled.body.data.map((j: { id: string }) => j.id)).toEqual([ids[0]]);
  });

  it('cancels a queued job idempotently and refuses to delete a live one', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const { body: job } = await call(url, 'POST', '/v1/jobs', { body: quick });
    expect((await call(url, 'DELETE', `/v1/jobs/${job.id}`)).body.error.code).toBe('job_not_terminal');
    const c1 = await fetch(`${url}/v1/jobs/${job.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(c1.status).toBe(200);
    expect((await c1.json()).status).toBe('canceled');
    const c2 = await call(url, 'POST', `/v1/jobs/${job.id}/cancel`);
    expect(c2.status).toBe(200);
    expect(c2.body.version).toBe(2);
    const d = await call(url, 'DELETE', `/v1/jobs/${job.id}`);
    expect(d).toMatchObject({ status: 200, body: { id: job.id, deleted: true } });
    expect((await call(url, 'GET', `/v1/jobs/${job.id}`)).status).toBe(404);
  });

  it('cancels a running job: its processor is stopped and the job stays canceled', async () => {
    const { url } = await startApp();
    const { body: job } = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 30, error_rate: 0 } },
    });
    await eventually(async () => (await call(url, 'GET', `/v1/jobs/${job.id}`)).body.status === 'running');
    const r = await call(url, 'POST', `/v1/jobs/${job.id}/cancel`);
    expect(r.body.status).toBe('canceled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await call(url, 'GET', `/v1/jobs/${job.id}`);
    expect(after.body.status).toBe('canceled');
    expect(after.body.version).toBe(r.body.version);
  });

  it('refuses to cancel a completed job', async () => {
    const { url } = await startApp();
    const { body: job } = await call(url, 'POST', '/v1/jobs', {
      body: quick,
      headers: { prefer: 'wait=10' },
    });
    expect(job.status).toBe('completed');
    const r = await call(url, 'POST', `/v1/jobs/${job.id}/cancel`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('job_not_cancelable');
  });

  it('pages the full log', async () => {
    const { url } = await startApp();
    const { body: job } = await call(url, 'POST', '/v1/jobs', {
      body: quick,
      headers: { prefer: 'wait=10' },
    });
    const first = await call(url, 'GET', `/v1/jobs/${job.id}/logs?limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.data[0]).toMatchObject({
      seq: 1,
      line: expect.stringMatching(/attempt 1 of 3 started/),
    });
    const rest = await call(url, 'GET', `/v1/jobs/${job.id}/logs?cursor=${first.body.next_cursor}`);
    const lines = [...first.body.data, ...rest.body.data].map((l: { line: string }) => l.line);
    expect(lines.at(-1)).toMatch(/attempt 1 completed/);
    expect(lines.some((l) => l.startsWith('processing:'))).toBe(true);
  });
});

describe('lists of large jobs stay small', () => {
  const scheduled = { run_in_seconds: 86_400 };

  it('leaves inputs over 8 KiB out of list items; the job itself has them', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--body-limit', '2m'] });
    const image = `data:image/png;base64,${Buffer.alloc(300 * 1024, 7).toString('base64')}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(url, 'POST', '/v1/jobs', {
        body: { type: 'image.to_video', input: { image_url: image }, ...scheduled },
      });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    const small = await call(url, 'POST', '/v1/jobs', { body: { ...quick, ...scheduled } });
    const res = await fetch(`${url}/v1/jobs?limit=200`);
    const text = await res.text();
    // Five 400 KB inputs, and the page is a few kilobytes.
    expect(text.length).toBeLessThan(16 * 1024);
    const page = JSON.parse(text);
    expect(page.data.map((j: { id: string }) => j.id)).toEqual([small.body.id, ...ids.reverse()]);
    expect(page.data[0].input).toEqual(small.body.input);
    const full = await call(url, 'GET', `/v1/jobs/${ids[0]}`);
    expect(full.body.input.image_url).toBe(image);
    // The marker gives the size of the stored input (defaults filled in).
    const inputBytes = JSON.stringify(full.body.input).length;
    for (const job of page.data.slice(1)) expect(job.input).toEqual({ $omitted: inputBytes });
    expect(page.next_cursor).toBeNull();
  });

  it('ends a page early at 1 MiB, and next_cursor goes on from there', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    // Each item carries 15 KB of metadata (under the 16 KB limit): 100 of them would be 1.5 MB.
    const made: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await call(url, 'POST', '/v1/jobs', {
        body: { ...quick, ...scheduled, metadata: { note: `${i}`.padEnd(15_000, '.') } },
      });
      made.push(r.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const res = await fetch(`${url}/v1/jobs?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      const text = await res.text();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LIST_PAGE_MAX_BYTES + 1024);
      const page = JSON.parse(text);
      if (pages === 0) expect(page.data.length).toBeLessThan(100);
      seen.push(...page.data.map((j: { id: string }) => j.id));
      cursor = page.next_cursor;
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(made.reverse());
  });

  it('always holds one job, however large', () => {
    const job = storedJob({ metadata: { note: 'x'.repeat(2000) } });
    const page = JSON.parse(jobPageJson([job, { ...job, id: 'j2', seq: 0 }], 10, 100));
    expect(page.data.map((j: { id: string }) => j.id)).toEqual(['j1']);
    expect(page.next_cursor).toBe(encodeCursor(1));
  });
});

describe('types, health, metrics, docs', () => {
  it('lists the job types with their input schemas', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const r = await call(url, 'GET', '/v1/types');
    const types = r.body.data.map((t: { type: string }) => t.type);
    expect(types).toEqual(expect.arrayContaining(['simulate', 'video.translate']));
    const sim = r.body.data.find((t: { type: string }) => t.type === 'simulate');
    expect(sim).toMatchObject({ available: true, input_schema: { type: 'object' } });
    const vt = r.body.data.find((t: { type: string }) => t.type === 'video.translate');
    expect(vt.description).toMatch(/SIMULATED/);
  });

  it('answers healthz and readyz', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    expect((await call(url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await call(url, 'GET', '/readyz');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', store: 'ok', role: 'api' } });
  });

  it('exposes Prometheus metrics', async () => {
    const { url } = await startApp();
    await call(url, 'POST', '/v1/jobs', { body: quick, headers: { prefer: 'wait=10' } });
    const res = await fetch(`${url}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(/longrun_jobs_created_total\{type="simulate"\} 1/);
    expect(text).toMatch(/longrun_jobs_finished_total\{type="simulate",status="completed"\} 1/);
    expect(text).toMatch(/longrun_jobs\{status="completed"\} 1/);
    expect(text).toMatch(/^longrun_event_loop_delay_seconds\{quantile="0\.99"\} [\d.e-]+$/m);
    expect(text).toMatch(/^longrun_event_loop_delay_seconds\{quantile="max"\} [\d.e-]+$/m);
  });

  it('serves an OpenAPI document made from the route schemas, and a docs page', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const spec = (await call(url, 'GET', '/openapi.json')).body;
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/jobs',
      '/v1/jobs/{id}',
      '/v1/jobs/{id}/events',
      '/v1/jobs/{id}/cancel',
      '/v1/events',
      '/v1/types',
      '/submit/{job_id}',
      '/status/{job_id}',
      '/v1/jobs/{id}/webhook-deliveries',
      '/v1/jobs/{id}/webhook-deliveries/{delivery_id}/retry',
    ]) {
      expect(spec.paths).toHaveProperty([path]);
    }
    expect(spec.components.schemas).toHaveProperty('Job');
    expect(spec.components.schemas).toHaveProperty('WebhookDelivery');
    const create = spec.paths['/v1/jobs'].post.requestBody.content['application/json'].schema;
    expect(create.oneOf.length).toBeGreaterThan(0);
    for (const variant of create.oneOf) {
      expect(variant.properties.webhook.properties.events.items.enum).toContain('job.completed');
    }
    const docs = await fetch(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });

  it('sends no x-powered-by and no CORS headers unless configured', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const res = await fetch(`${url}/v1/jobs`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
