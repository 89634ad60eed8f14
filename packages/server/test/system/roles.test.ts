import { describe, expect, it } from 'vitest';
import { call, eventually, readSse, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';

useCleanup();

const quick = { type: 'simulate', input: { duration_seconds: 0.2, error_rate: 0 } };

describe('roles', () => {
  it('worker: runs workers and serves only /healthz, /readyz and /metrics', async () => {
    const { url, app } = await startApp({ argv: ['--role', 'worker'] });
    expect(app.longrun.pool?.started).toBe(true);
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(url, 'GET', '/readyz')).body).toMatchObject({ status: 'ready', role: 'worker' });
    expect((await call(url, 'GET', '/metrics')).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/v1/jobs'],
      ['GET', '/v1/jobs'],
      ['GET', '/v1/events'],
      ['GET', '/v1/types'],
      ['GET', '/status/x'],
      ['GET', '/openapi.json'],
    ] as const) {
      const r = await call(url, method, path, method === 'POST' ? { body: quick } : {});
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.code).toBe('route_not_found');
    }
  });

  it('api: serves the API and runs no workers', async () => {
    const { url, app } = await startApp({ argv: ['--role', 'api'] });
    expect(app.longrun.pool).toBeNull();
    const { body: job } = await call(url, 'POST', '/v1/jobs', { body: quick });
    expect((await call(url, 'GET', `/v1/jobs/${job.id}?wait=0.3`)).body.status).toBe('queued');
    expect((await call(url, 'GET', '/readyz')).body).toMatchObject({ role: 'api', feed: 'local' });
  });
});

describePostgres('roles on one PostgreSQL database', () => {
  it('a job submitted to an api node runs on a worker node; a waiter on the api node sees every change', async () => {
    const schema = uniqueSchema('roles');
    const db = ['--database-url', PG_URL, '--database-schema', schema, '--database-pool-size', '4'];
    try {
      const api = await startApp({ argv: [...db, '--role', 'api'] });
      const worker = await startApp({ argv: [...db, '--role', 'worker'] });
      expect((await call(api.url, 'GET', '/readyz')).body).toMatchObject({ store: 'ok', feed: 'listening' });
      const { body: job } = await call(api.url, 'POST', '/v1/jobs', { body: quick });
      const events = (await readSse(`${api.url}/v1/jobs/${job.id}/events`)).filter((e) => !e.comment);
      const jobs = events.map((e) => JSON.parse(e.data));
      expect(jobs.at(-1)).toMatchObject({ status: 'completed', attempt: 1 });
      expect(jobs.some((j) => j.status === 'running')).toBe(true);
      const versions = jobs.map((j) => j.version);
      expect([...new Set(versions)].sort((a, b) => a - b)).toEqual(versions);
      // The long-poll waiter answers from the feed too.
      const { body: second } = await call(api.url, 'POST', '/v1/jobs', { body: quick });
      const done = await eventually(async () => {
        const r = await call(api.url, 'GET', `/v1/jobs/${second.id}?wait=10&since=1`);
        return r.body.status === 'completed' ? r.body : null;
      });
      expect(done.progress).toBe(100);
      // The api node heard the worker's changes from its feed, and /metrics counts them.
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/^longrun_feed_activity_total\{activity="notification"\} [1-9]/m);
      await api.close();
      await worker.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
