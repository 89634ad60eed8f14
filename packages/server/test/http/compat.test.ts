import { describe, expect, it } from 'vitest';
import { eventually, rawCall, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

describe('status API compatibility', () => {
  it('submits with a form field and answers 201 text/plain', async () => {
    const { url } = await startApp({ argv: ['--simulate-error-rate', '0'] });
    const res = await fetch(`${url}/submit/job_000`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'delay_seconds=1',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Successfully submitted the job: job_000');
    const pending = await fetch(`${url}/status/job_000`);
    expect(pending.status).toBe(200);
    expect(await pending.text()).toBe('{"result":"pending"}');
    const result = await eventually(async () => {
      const text = await (await fetch(`${url}/status/job_000`)).text();
      return text === '{"result":"pending"}' ? null : text;
    });
    expect(result).toBe('{"result":"completed"}');
  });

  it('takes delay_seconds as a query parameter and makes a simulate job of that length', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const res = await fetch(`${url}/submit/q1?delay_seconds=7`, { method: 'POST' });
    expect(res.status).toBe(201);
    const job = await (await fetch(`${url}/v1/jobs/q1`)).json();
    expect(job).toMatchObject({ type: 'simulate', input: { duration_seconds: 7 } });
  });

  it('defaults delay_seconds to 20', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    await fetch(`${url}/submit/d1`, { method: 'POST' });
    expect((await (await fetch(`${url}/v1/jobs/d1`)).json()).input.duration_seconds).toBe(20);
  });

  it('answers error for a failed job', async () => {
    const { url } = await startApp({ argv: ['--simulate-error-rate', '1'] });
    await fetch(`${url}/submit/bad?delay_seconds=0`, { method: 'POST' });
    const result = await eventually(async () => {
      const body = await (await fetch(`${url}/status/bad`)).json();
      return body.result === 'pending' ? null : body;
    });
    expect(result).toEqual({ result: 'error' });
  });

  it('answers 404 with detail for an unknown id, and 409 for a taken one', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const missing = await fetch(`${url}/status/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Job ID nope could not be found' });
    await fetch(`${url}/submit/taken`, { method: 'POST' });
    const again = await fetch(`${url}/submit/taken`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ detail: 'Job ID taken already exists' });
  });

  it('refuses bad delay_seconds and bad ids with 422 and detail', async () => {
    const { url, app } = await startApp({ argv: ['--role', 'api'] });
    for (const q of ['delay_seconds=-1', 'delay_seconds=abc', 'delay_seconds=1e9']) {
      const res = await fetch(`${url}/submit/x?${q}`, { method: 'POST' });
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ detail: expect.stringMatching(/delay_seconds/) });
    }
    const badId = await fetch(`${url}/submit/${'z'.repeat(200)}`, { method: 'POST' });
    expect(badId.status).toBe(422);
    // Sent as they are (fetch would resolve them away): ids of dots alone name folders, not jobs.
    for (const dots of ['.', '..', '...', '%2E%2E']) {
      const res = await rawCall(url, 'POST', `/submit/${dots}`);
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ detail: expect.stringMatching(/not dots alone/) });
    }
    expect((await app.longrun.store.countByStatus()).queued).toBe(0);
  });

  it('answers the latest change at once, though a running job is read from memory', async () => {
    const { url } = await startApp({ argv: ['--simulate-error-rate', '0'] });
    await fetch(`${url}/submit/c1?delay_seconds=30`, { method: 'POST' });
    await eventually(async () => (await (await fetch(`${url}/v1/jobs/c1`)).json()).status === 'running');
    expect(await (await fetch(`${url}/status/c1`)).json()).toEqual({ result: 'pending' });
    expect((await fetch(`${url}/v1/jobs/c1/cancel`, { method: 'POST' })).status).toBe(200);
    expect(await (await fetch(`${url}/status/c1`)).json()).toEqual({ result: 'error' });
  });

  it('hints pollers with Poll-After-Ms while pending', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    await fetch(`${url}/submit/h1?delay_seconds=5`, { method: 'POST' });
    const res = await fetch(`${url}/status/h1`);
    expect(Number(res.headers.get('poll-after-ms'))).toBeGreaterThan(0);
  });

  it('takes delay_seconds only as decimal seconds, in every form the route accepts', async () => {
    const { url, app } = await startApp({ argv: ['--role', 'api'] });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const json = { 'content-type': 'application/json' };
    const accepted: [string, { body?: string; headers?: Record<string, string> }, number][] = [
      ['?delay_seconds=7', {}, 7],
      ['?delay_seconds=2.5', {}, 2.5],
      ['?delay_seconds=', {}, 20],
      ['', { body: 'delay_seconds=3', headers: form }, 3],
      ['', { body: '{"delay_seconds":4}', headers: json }, 4],
      ['', { body: '{"delay_seconds":"5.5"}', headers: json }, 5.5],
      ['?delay_seconds=86400', {}, 86400],
    ];
    for (const [i, [query, init, seconds]] of accepted.entries()) {
      const res = await rawCall(url, 'POST', `/submit/ok${i}${query}`, init);
      expect(res.status, query + (init.body ?? '')).toBe(201);
      const job = await app.longrun.service.find('default', `ok${i}`);
      expect(job?.input.duration_seconds).toBe(seconds);
    }
    const refused: [string, { body?: string; headers?: Record<string, string> }][] = [
      ['?delay_seconds=0x10', {}],
      ['?delay_seconds=%20', {}],
      ['?delay_seconds=%207', {}],
      ['?delay_seconds=1e3', {}],
      ['?delay_seconds=Infinity', {}],
      ['?delay_seconds=-0', {}],
      ['?delay_seconds=86400.5', {}],
      ['?delay_seconds=1&delay_seconds=2', {}],
      ['', { body: 'delay_seconds=1&delay_seconds=2', headers: form }],
      ['', { body: '{"delay_seconds":[5]}', headers: json }],
      ['', { body: '{"delay_seconds":true}', headers: json }],
      ['', { body: '{"delay_seconds":{"a":1}}', headers: json }],
      ['', { body: '{"delay_seconds":" 5"}', headers: json }],
    ];
    for (const [query, init] of refused) {
      const res = await rawCall(url, 'POST', `/submit/bad${query}`, init);
      expect(res.status, query + (init.body ?? '')).toBe(422);
      expect(res.body).toEqual({ detail: expect.stringMatching(/^delay_seconds must be/) });
    }
    expect(await app.longrun.service.find('default', 'bad')).toBeNull();
  });

  it('answers every error on its routes as {"detail": …}, raised before the handler too', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--body-limit', '1k'] });
    const cases: [string, string, { body?: string; headers?: Record<string, string> }, number][] = [
      ['POST', `/submit/${'x'.repeat(1100)}`, {}, 422],
      ['GET', `/status/${'x'.repeat(1100)}`, {}, 422],
      ['POST', '/submit/%zz', {}, 422],
      ['GET', '/status/%E0%A4%A', {}, 422],
      ['POST', '/submit/j1', { body: '{bad', headers: { 'content-type': 'application/json' } }, 422],
      ['POST', '/submit/j2', { body: '<a/>', headers: { 'content-type': 'text/xml' } }, 415],
      [
        'POST',
        '/submit/j3',
        {
          body: JSON.stringify({ delay_seconds: 'x'.repeat(2000) }),
          headers: { 'content-type': 'application/json' },
        },
        413,
      ],
      ['GET', '/status/a/b', {}, 404],
      ['DELETE', '/submit/j4', {}, 404],
    ];
    for (const [method, path, init, status] of cases) {
      const res = await rawCall(url, method, path, init);
      expect(res.status, `${method} ${path.slice(0, 40)}`).toBe(status);
      expect(res.body, `${method} ${path.slice(0, 40)}`).toEqual({ detail: expect.any(String) });
    }
  });
});
