import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { call, eventually, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { type Received, startReceiver, webhookHeaders } from '../helpers/receiver.js';

useCleanup();

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const FAST = ['--webhook-retry-schedule', '50ms,100ms,150ms,200ms,250ms,300ms,300ms,300ms,300ms,300ms'];

async function server(extra: string[] = [], key = secret()) {
  const app = await startApp({
    argv: ['--allow-private-urls', '--webhook-secret', key, '--simulate-error-rate', '0', ...FAST, ...extra],
  });
  return { ...app, key };
}

/** Verify with the standardwebhooks package; throws when the signature does not match. */
function verify(key: string, r: Received): unknown {
  return new Webhook(key).verify(r.body, webhookHeaders(r.headers));
}

describe('webhooks', () => {
  it('POSTs every event a job asks for, each signed per Standard Webhooks', async () => {
    const receiver = await startReceiver();
    const { url, key } = await server();
    const created = await call(url, 'POST', '/v1/jobs', {
      body: {
        type: 'simulate',
        input: { duration_seconds: 0.5 },
        webhook: { url: receiver.url, events: ['job.started', 'job.progress', 'job.completed'] },
      },
    });
    expect(created.status).toBe(202);
    expect(created.body).not.toHaveProperty('webhook');
    const id = created.body.id;
    // Settled: the job ended and every delivery it made is acknowledged and recorded.
    const list = await eventually(async () => {
      const job = (await call(url, 'GET', `/v1/jobs/${id}`)).body;
      const deliveries = (await call(url, 'GET', `/v1/jobs/${id}/webhook-deliveries`)).body.data;
      return job.status === 'completed' &&
        deliveries.every((d: { status: string }) => d.status === 'delivered')
        ? deliveries
        : null;
    });
    expect(receiver.received.length).toBe(list.length);
    // Deliveries run side by side, so they may arrive out of order: data.version orders them.
    const inOrder = [...receiver.received].sort(
      (a, b) => Number(a.json.data.version) - Number(b.json.data.version),
    );
    const types = inOrder.map((r) => r.json.type);
    expect(types[0]).toBe('job.started');
    expect(types.at(-1)).toBe('job.completed');
    expect(types.filter((t) => t === 'job.progress').length).toBe(types.length - 2);
    expect(types.length).toBeGreaterThan(2);
    expect(new Set(inOrder.map((r) => r.json.data.version)).size).toBe(inOrder.length);
    for (const r of receiver.received) {
      expect(verify(key, r)).toEqual(r.json);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['webhook-id']).toMatch(/^msg_/);
      expect(Object.keys(r.json)).toEqual(['type', 'timestamp', 'data']);
      expect(r.json.data.id).toBe(id);
      expect(Date.parse(r.json.timestamp)).toBeGreaterThan(0);
    }
    const done = inOrder.at(-1)!.json.data;
    expect(done).toMatchObject({ status: 'completed', progress: 100 });
    expect(done).toEqual((await call(url, 'GET', `/v1/jobs/${id}`)).body);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/longrun_webhook_attempts_total\{event="job.completed",outcome="delivered"\} 1/);
    // A signature made with another secret is refused by the same verifier.
    expect(() => verify(secret(), receiver.received[0]!)).toThrow();

    for (const d of list) {
      expect(d).toMatchObject({
        status: 'delivered',
        attempt_count: 1,
        last_status_code: 204,
        next_attempt_at: null,
      });
      expect(d.attempts).toEqual([
        { at: expect.any(String), status_code: 204, error: null, duration_ms: expect.any(Number) },
      ]);
    }
    // The list is in the order of the job's changes.
    expect(list.map((d: { id: string }) => d.id)).toEqual(inOrder.map((r) => r.headers['webhook-id']));
  });

  it('sends the terminal events by default, canceled included', async () => {
    const receiver = await startReceiver();
    const { url, key } = await server(['--concurrency', '1', '--wait-concurrency', '1']);
    const hook = { url: receiver.url };
    const slow = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 30 }, webhook: hook },
    });
    const failing = await call(url, 'POST', '/v1/jobs', {
      body: {
        type: 'simulate',
        input: { duration_seconds: 0.1, error_rate: 1 },
        max_attempts: 1,
        webhook: hook,
      },
    });
    await call(url, 'POST', `/v1/jobs/${slow.body.id}/cancel`);
    await eventually(async () => receiver.received.length >= 2);
    const byJob = Object.fromEntries(receiver.received.map((r) => [r.json.data.id, r.json.type]));
    expect(byJob).toEqual({ [slow.body.id]: 'job.canceled', [failing.body.id]: 'job.failed' });
    for (const r of receiver.received) verify(key, r);
  });

  it('receives every event after a receiver that was down comes back; repeats carry the same webhook-id', async () => {
    const receiver = await startReceiver();
    // Patient enough that no delivery runs out of retries while the receiver is away.
    const { url, key } = await server([
      '--concurrency',
      '8',
      '--wait-concurrency',
      '8',
      '--webhook-retry-schedule',
      '50ms,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s',
    ]);
    await receiver.down();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await call(url, 'POST', '/v1/jobs', {
        body: {
          type: 'simulate',
          input: { duration_seconds: 0.1 },
          webhook: { url: receiver.url, events: ['job.started', 'job.completed'] },
        },
      });
      ids.push(r.body.id);
    }
    // Down while every job runs and ends: each delivery fails at least once.
    await eventually(async () => {
      const jobs = await Promise.all(ids.map(async (id) => (await call(url, 'GET', `/v1/jobs/${id}`)).body));
      return jobs.every((j) => j.status === 'completed');
    });
    await eventually(async () => {
      const lists = await Promise.all(
        ids.map(async (id) => (await call(url, 'GET', `/v1/jobs/${id}/webhook-deliveries`)).body.data),
      );
      return lists.flat().every((d: { attempt_count: number }) => d.attempt_count >= 1);
    });
    // Back, but the first answers are lost (a 500 after the receiver took the event): sent again.
    receiver.respond = (_r, n) => ({ status: n <= 5 ? 500 : 204 });
    await receiver.up();
    const expected = ids.flatMap((id) => [`${id} job.started`, `${id} job.completed`]).sort();
    // Done when the server holds an acknowledgement for every delivery (the 500s sent again).
    const deliveries = await eventually(async () => {
      const all = (
        await Promise.all(
          ids.map(async (id) => (await call(url, 'GET', `/v1/jobs/${id}/webhook-deliveries`)).body.data),
        )
      ).flat();
      return all.every((d: { status: string }) => d.status === 'delivered') ? all : null;
    });
    expect(deliveries).toHaveLength(expected.length);
    expect(
      deliveries.some(
        (d: { attempts: { status_code: number | null }[] }) => d.attempts[0]!.status_code === null,
      ),
    ).toBe(true);
    expect([...new Set(receiver.received.map((r) => `${r.json.data.id} ${r.json.type}`))].sort()).toEqual(
      expected,
    );
    const byId = new Map<string, Received[]>();
    for (const r of receiver.received) {
      verify(key, r);
      const id = String(r.headers['webhook-id']);
      byId.set(id, [...(byId.get(id) ?? []), r]);
    }
    expect(byId.size).toBe(expected.length);
    // Each of the five requests answered with a 500 was sent once more, with the same webhook-id and body.
    expect(receiver.received.length).toBe(expected.length + 5);
    const repeated = [...byId.values()].filter((copies) => copies.length > 1);
    expect(repeated.length).toBeGreaterThan(0);
    for (const copies of repeated) expect(new Set(copies.map((c) => c.body)).size).toBe(1);
  });

  it("waits as long as a 429 or 503 receiver's Retry-After asks", async () => {
    const receiver = await startReceiver();
    receiver.respond = (_r, n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 };
    const { url } = await server();
    const job = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 }, webhook: { url: receiver.url } },
    });
    const pending = await eventually(async () => {
      const [d] = (await call(url, 'GET', `/v1/jobs/${job.body.id}/webhook-deliveries`)).body.data;
      return d?.attempt_count === 1 ? d : null;
    });
    expect(pending).toMatchObject({ status: 'pending', last_status_code: 503, last_error: 'HTTP 503' });
    // The schedule alone would retry after about 50 ms; Retry-After: 2 holds it 2 s.
    expect(Date.parse(pending.next_attempt_at) - Date.parse(pending.attempts[0].at)).toBeGreaterThanOrEqual(
      2000,
    );
    await eventually(async () => receiver.received.length === 2, 10_000);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);
  });

  it('stops sending to a URL that answered 410 Gone for that job', async () => {
    const receiver = await startReceiver();
    receiver.respond = () => ({ status: 410 });
    const { url } = await server();
    const job = await call(url, 'POST', '/v1/jobs', {
      body: {
        type: 'simulate',
        input: { duration_seconds: 30 },
        webhook: { url: receiver.url, events: ['job.started', 'job.canceled'] },
      },
    });
    const deliveries = () => call(url, 'GET', `/v1/jobs/${job.body.id}/webhook-deliveries`);
    await eventually(async () => (await deliveries()).body.data[0]?.status === 'stopped');
    // Canceled after the 410: that event is never even queued for this URL.
    expect((await call(url, 'POST', `/v1/jobs/${job.body.id}/cancel`)).body.status).toBe('canceled');
    expect((await deliveries()).body.data).toEqual([
      expect.objectContaining({
        event: 'job.started',
        status: 'stopped',
        last_status_code: 410,
        attempt_count: 1,
      }),
    ]);
    // The stop is per job and URL: another job's event still goes to the same URL.
    const second = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 30 }, webhook: { url: receiver.url } },
    });
    await call(url, 'POST', `/v1/jobs/${second.body.id}/cancel`);
    await eventually(async () => receiver.received.length === 2);
    expect(receiver.received[1]!.json).toMatchObject({ type: 'job.canceled', data: { id: second.body.id } });
    expect(receiver.received.filter((r) => r.json.data.id === job.body.id)).toHaveLength(1);
  });

  it('does not follow redirects, and a delivery can be sent again by hand', async () => {
    const elsewhere = await startReceiver();
    const receiver = await startReceiver();
    receiver.respond = (_r, n) =>
      n === 1 ? { status: 307, headers: { location: elsewhere.url } } : { status: 204 };
    const { url, key } = await server(['--webhook-retry-schedule', '']);
    const job = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 }, webhook: { url: receiver.url } },
    });
    const [failed] = await eventually(async () => {
      const list = (await call(url, 'GET', `/v1/jobs/${job.body.id}/webhook-deliveries`)).body.data;
      return list[0]?.status === 'failed' ? list : null;
    });
    expect(failed).toMatchObject({ last_status_code: 307, next_attempt_at: null });
    expect(failed.last_error).toMatch(/redirects are not followed/);
    expect(elsewhere.received).toEqual([]);

    const retried = await call(url, 'POST', `/v1/jobs/${job.body.id}/webhook-deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    await eventually(async () => receiver.received.length === 2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(failed.id);
    verify(key, receiver.received[1]!);
    const missing = await call(url, 'POST', `/v1/jobs/${job.body.id}/webhook-deliveries/msg_nope/retry`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('delivery_not_found');
    const noJob = await call(url, 'GET', '/v1/jobs/nope/webhook-deliveries');
    expect(noJob.body.error.code).toBe('job_not_found');
  });

  it('signs with the old secret too while it is rotated out', async () => {
    const receiver = await startReceiver();
    const old = secret();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const { url, key } = await server([
      '--webhook-secret-previous',
      old,
      '--webhook-secret-previous-until',
      until,
    ]);
    await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 }, webhook: { url: receiver.url } },
    });
    await eventually(async () => receiver.received.length === 1);
    const [r] = receiver.received;
    expect(String(r!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    verify(key, r!);
    verify(old, r!);

    // Past its time, the old secret no longer signs.
    const later = await startReceiver();
    const after = await server([
      '--webhook-secret-previous',
      old,
      '--webhook-secret-previous-until',
      '2020-01-01T00:00:00Z',
    ]);
    await call(after.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0 }, webhook: { url: later.url } },
    });
    await eventually(async () => later.received.length === 1);
    verify(after.key, later.received[0]!);
    expect(() => verify(old, later.received[0]!)).toThrow();
  });

  it('refuses webhooks to private addresses, unknown events and a server without a secret', async () => {
    const guarded = await startApp({ argv: ['--webhook-secret', secret()] });
    for (const hookUrl of [
      'http://127.0.0.1:9/x',
      'http://localhost:9/x',
      'http://[::1]:9/x',
      'http://169.254.169.254/',
    ]) {
      const r = await call(guarded.url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', webhook: { url: hookUrl } },
      });
      expect(r.status, hookUrl).toBe(422);
      expect(r.body.error.code).toBe('webhook_url_not_allowed');
    }
    const bad = await call(guarded.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', webhook: { url: 'ftp://example.com/x' } },
    });
    expect(bad.body.error.code).toBe('invalid_webhook');
    const events = await call(guarded.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', webhook: { url: 'https://example.com/x', events: ['job.exploded'] } },
    });
    expect(events.status).toBe(400);
    const open = await startApp({ argv: ['--allow-private-urls'] });
    const none = await call(open.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', webhook: { url: 'http://127.0.0.1:9/x' } },
    });
    expect(none.status).toBe(422);
    expect(none.body.error.code).toBe('webhooks_not_configured');
  });
});
