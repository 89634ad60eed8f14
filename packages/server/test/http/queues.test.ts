import { describe, expect, it } from 'vitest';
import { call, eventually, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

const sim = (extra: Record<string, unknown> = {}) => ({
  type: 'simulate',
  input: { duration_seconds: 0, error_rate: 0 },
  ...extra,
});

describe('GET /v1/queues', () => {
  it("lists each queue with its kind, types, limits and counts; each type names its queue's kind of work", async () => {
    const { url } = await startApp({
      argv: ['--concurrency', '3', '--wait-concurrency', '40', '--queues', 'translate=100/5,bulk:waiting=7'],
    });
    const r = await call(url, 'GET', '/v1/queues');
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.data.map((q: { name: string }) => [q.name, q]));
    expect(Object.keys(byName)).toEqual(['bulk', 'media', 'simulate', 'translate']);
    expect(byName.media).toMatchObject({
      kind: 'cpu',
      types: ['image.to_video', 'text.to_video'],
      concurrency: 3,
      global_limit: null,
      tenant_limit: null,
      paused: false,
      queued: 0,
      scheduled: 0,
      running: 0,
      oldest_queued_age_seconds: null,
      finished_last_minute: 0,
      scope: 'all',
    });
    expect(byName.simulate).toMatchObject({ kind: 'waiting', types: ['simulate'], concurrency: 40 });
    expect(byName.translate).toMatchObject({ kind: 'waiting', concurrency: 100, global_limit: 5 });
    expect(byName.bulk).toMatchObject({ kind: 'waiting', types: [], concurrency: 7 });
    const types = (await call(url, 'GET', '/v1/types')).body.data;
    expect(types.find((t: { type: string }) => t.type === 'simulate')).toMatchObject({
      queue: 'simulate',
      work: 'waiting',
    });
    expect(types.find((t: { type: string }) => t.type === 'image.to_video')).toMatchObject({
      queue: 'media',
      work: 'cpu',
    });
    const one = await call(url, 'GET', '/v1/queues/translate');
    expect(one.body).toEqual(byName.translate);
    const missing = await call(url, 'GET', '/v1/queues/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('queue_not_found');
    expect((await call(url, 'POST', '/v1/queues/nope/pause')).body.error.code).toBe('queue_not_found');
  });

  it('refuses a server whose queues contradict each other, naming the entry', async () => {
    await expect(startApp({ argv: ['--queues', 'media:waiting=5'] })).rejects.toThrow(/media is a cpu queue/);
    await expect(startApp({ argv: ['--queues', 'fresh=5'] })).rejects.toThrow(/fresh is a new queue/);
    await expect(startApp({ argv: ['--queues', 'x=0'] })).rejects.toThrow(/--queues/);
  });
});

describe('queue fields on submit', () => {
  it('shows queue, priority and run_at on the job; a scheduled job waits, and a waiting queue of the same kind is allowed', async () => {
    const { url } = await startApp({ argv: ['--queues', 'bulk:waiting=5', '--simulate-error-rate', '0'] });
    const now = await call(url, 'POST', '/v1/jobs', { body: sim({ priority: 7 }) });
    expect(now.status).toBe(202);
    expect(now.body).toMatchObject({ queue: 'simulate', priority: 7 });
    const later = await call(url, 'POST', '/v1/jobs', { body: sim({ run_in_seconds: 3600, queue: 'bulk' }) });
    expect(later.body).toMatchObject({ queue: 'bulk', status: 'queued', priority: 0 });
    expect(Date.parse(later.body.run_at) - Date.parse(later.body.created_at)).toBe(3_600_000);
    const at = new Date(Date.now() + 7_200_000).toISOString();
    const exact = await call(url, 'POST', '/v1/jobs', { body: sim({ run_at: at }) });
    expect(exact.body.run_at).toBe(at);
    const done = await eventually(async () => {
      const job = (await call(url, 'GET', `/v1/jobs/${now.body.id}`)).body;
      return job.status === 'completed' ? job : null;
    });
    expect(done.run_at).toBeNull();
    const bulk = (await call(url, 'GET', '/v1/queues/bulk')).body;
    expect(bulk).toMatchObject({ queued: 0, scheduled: 1 });
    const wait = await fetch(`${url}/metrics`);
    const text = await wait.text();
    expect(text).toMatch(/longrun_queue_jobs\{queue="bulk",state="scheduled"\} 1/);
    expect(text).toMatch(/longrun_queue_wait_seconds_count\{queue="simulate"\} 1/);
  });

  it.each([
    ['an unknown queue', { queue: 'nope' }, 422, 'unknown_queue'],
    ['a queue of the other kind', { queue: 'media' }, 422, 'queue_not_allowed'],
    ['priority 101', { priority: 101 }, 422, 'invalid_priority'],
    ['priority -101', { priority: -101 }, 422, 'invalid_priority'],
    ['a fractional priority', { priority: 1.5 }, 400, 'invalid_request'],
    ['run_at that is not a time', { run_at: 'tomorrow' }, 422, 'invalid_run_at'],
    ['run_at without a zone', { run_at: '2030-01-01T00:00:00' }, 422, 'invalid_run_at'],
    ['run_at an hour ago', { run_at: new Date(Date.now() - 3_600_000).toISOString() }, 422, 'invalid_run_at'],
    [
      'run_at two years ahead',
      { run_at: new Date(Date.now() + 2 * 365 * 86_400_000).toISOString() },
      422,
      'invalid_run_at',
    ],
    [
      'run_at and run_in_seconds',
      { run_at: new Date().toISOString(), run_in_seconds: 5 },
      422,
      'invalid_run_at',
    ],
    ['a negative run_in_seconds', { run_in_seconds: -1 }, 422, 'invalid_run_at'],
    ['a queue name too long', { queue: 'q'.repeat(65) }, 400, 'invalid_request'],
  ])('refuses %s and stores nothing', async (_name, extra, status, code) => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const r = await call(url, 'POST', '/v1/jobs', { body: sim(extra) });
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect((await call(url, 'GET', '/v1/jobs')).body.data).toEqual([]);
  });

  it('gives a queued job its place: jobs of higher priority first, then its own turn', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const first = await call(url, 'POST', '/v1/jobs', { body: sim() });
    const second = await call(url, 'POST', '/v1/jobs', { body: sim() });
    const urgent = await call(url, 'POST', '/v1/jobs', { body: sim({ priority: 50 }) });
    expect(urgent.body.queue_position).toBeNull();
    expect((await call(url, 'GET', `/v1/jobs/${urgent.body.id}`)).body.queue_position).toBe(0);
    expect((await call(url, 'GET', `/v1/jobs/${first.body.id}`)).body.queue_position).toBe(1);
    expect((await call(url, 'GET', `/v1/jobs/${second.body.id}`)).body.queue_position).toBe(2);
  });
});
