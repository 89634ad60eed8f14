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
});
