import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/processors/index.js';
import { call, eventually, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { reportProcessor } from '../helpers/processors.js';
import { startReceiver } from '../helpers/receiver.js';

useCleanup();

const KEYS = 'key-alpha-123:alpha,key-beta-4567:beta';
const A = { authorization: 'Bearer key-alpha-123' };
const B = { 'x-api-key': 'key-beta-4567' };

const report = reportProcessor('alpha only');

/**
 * Open the firehose; once this resolves the stream is listening (the server
 * subscribes before it sends the headers). Then: the ids of jobs seen until `stopAt` shows up.
 */
async function firehose(base: string, headers: Record<string, string>) {
  const res = await fetch(`${base}/v1/events`, { headers, signal: AbortSignal.timeout(20_000) });
  expect(res.status).toBe(200);
  return (stopAt: () => string | undefined) => readUntil(res, stopAt);
}

async function readUntil(res: Response, stopAt: () => string | undefined): Promise<string[]> {
  const seen: string[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    for (const m of buffer.matchAll(/^data: (.*)$/gm)) seen.push(JSON.parse(m[1]!).id);
    buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    const stop = stopAt();
    if (stop && seen.includes(stop)) break;
  }
  await res.body?.cancel().catch(() => undefined);
  return seen;
}

describe('tenant isolation over every route', () => {
  it("another tenant's job is a 404 everywhere, and never shows in lists or streams", async () => {
    const registry = defaultRegistry();
    registry.register(report);
    const receiver = await startReceiver();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const { url } = await startApp({
      argv: [
        '--api-keys',
        KEYS,
        '--webhook-secret',
        secret,
        '--allow-private-urls',
        '--simulate-error-rate',
        '0',
      ],
      parts: { registry },
    });
    const made = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'test.report', webhook: { url: receiver.url } },
      headers: { ...A, 'idempotency-key': 'shared-key' },
    });
    expect(made.status).toBe(202);
    const id = made.body.id;
    const done = await call(url, 'GET', `/v1/jobs/${id}?wait=20`, { headers: A });
    expect(done.body.status).toBe('completed');
    await eventually(async () => receiver.received.length === 1);
    const [delivery] = (await call(url, 'GET', `/v1/jobs/${id}/webhook-deliveries`, { headers: A })).body
      .data;

    const routes: [string, string][] = [
      ['GET', `/v1/jobs/${id}`],
      ['GET', `/v1/jobs/${id}?wait=1`],
      ['GET', `/v1/jobs/${id}/events`],
      ['GET', `/v1/jobs/${id}/logs`],
      ['GET', `/v1/jobs/${id}/artifacts/report.txt`],
      ['HEAD', `/v1/jobs/${id}/artifacts/report.txt`],
      ['GET', `/v1/jobs/${id}/webhook-deliveries`],
      ['POST', `/v1/jobs/${id}/webhook-deliveries/${delivery.id}/retry`],
      ['POST', `/v1/jobs/${id}/cancel`],
      ['DELETE', `/v1/jobs/${id}`],
      ['GET', `/status/${id}`],
    ];
    for (const [method, path] of routes) {
      const r = await call(url, method, path, { headers: B });
      expect(r.status, `${method} ${path} as another tenant`).toBe(404);
      if (method !== 'HEAD' && !path.startsWith('/status/')) expect(r.body.error.code).toBe('job_not_found');
    }
    expect((await call(url, 'GET', '/v1/jobs', { headers: B })).body.data).toEqual([]);
    // A stream of many jobs names another tenant's job as one with no job, and ends.
    const many = await fetch(`${url}/v1/jobs/events`, {
      method: 'POST',
      headers: { ...B, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [id] }),
      signal: AbortSignal.timeout(20_000),
    });
    const told = await many.text();
    expect(told).toContain(`event: missing\ndata: {"id":"${id}"}`);
    expect(told).not.toContain('event: job');
    expect((await call(url, 'GET', '/v1/jobs?status=completed', { headers: B })).body.data).toEqual([]);
    // The owner still has everything, untouched by the other tenant's attempts.
    expect((await call(url, 'GET', `/v1/jobs/${id}`, { headers: A })).body.status).toBe('completed');
    const file = await fetch(`${url}/v1/jobs/${id}/artifacts/report.txt`, { headers: A });
    expect(await file.text()).toBe('alpha only');
    expect((await call(url, 'GET', `/v1/jobs/${id}/logs`, { headers: A })).body.data.length).toBeGreaterThan(
      0,
    );
    expect((await call(url, 'GET', `/status/${id}`, { headers: A })).body).toEqual({ result: 'completed' });
    expect(
      (await call(url, 'GET', '/v1/jobs', { headers: A })).body.data.map((j: { id: string }) => j.id),
    ).toEqual([id]);
    // An Idempotency-Key is the tenant's own: the same key elsewhere makes another job.
    const theirs = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'test.report' },
      headers: { ...B, 'idempotency-key': 'shared-key' },
    });
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(id);

    // The firehose: B's stream, open while A makes a job and then B makes one, sees only B's.
    let alphaJob: string | undefined;
    let betaJob: string | undefined;
    const betaStream = await firehose(url, B);
    const alphaStream = await firehose(url, A);
    const betaSeen = betaStream(() => betaJob);
    const alphaSeen = alphaStream(() => alphaJob);
    alphaJob = (await call(url, 'POST', '/v1/jobs', { body: { type: 'test.report' }, headers: A })).body.id;
    await call(url, 'GET', `/v1/jobs/${alphaJob}?wait=20`, { headers: A });
    betaJob = (await call(url, 'POST', '/v1/jobs', { body: { type: 'test.report' }, headers: B })).body.id;
    const [beta, alpha] = await Promise.all([betaSeen, alphaSeen]);
    expect(beta).toContain(betaJob);
    expect(beta).not.toContain(alphaJob);
    expect(beta).not.toContain(id);
    expect(alpha).toContain(alphaJob);
    expect(alpha).not.toContain(betaJob);
    expect(alpha).not.toContain(theirs.body.id);

    // Deleting is the owner's: B's attempt above left the job, A's removes it and its deliveries.
    expect((await call(url, 'DELETE', `/v1/jobs/${id}`, { headers: A })).status).toBe(200);
    expect((await call(url, 'GET', `/v1/jobs/${id}/webhook-deliveries`, { headers: A })).status).toBe(404);
  });
});
