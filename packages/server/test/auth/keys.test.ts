import { describe, expect, it } from 'vitest';
import { call, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

const KEYS = 'key-alpha-123:alpha,key-beta-4567:beta';
const A = { authorization: 'Bearer key-alpha-123' };
const B = { 'x-api-key': 'key-beta-4567' };

describe('API keys and tenants', () => {
  it('answers 401 without a key or with a wrong one, and leaves probes open', async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--api-keys', KEYS] });
    const none = await call(url, 'GET', '/v1/jobs');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(
      (await call(url, 'GET', '/v1/jobs', { headers: { authorization: 'Bearer wrong-key-000' } })).status,
    ).toBe(401);
    expect((await call(url, 'GET', '/status/x')).status).toBe(401);
    expect((await call(url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(url, 'GET', '/readyz')).status).toBe(200);
    expect((await call(url, 'GET', '/v1/jobs', { headers: A })).status).toBe(200);
    expect((await call(url, 'GET', '/v1/jobs', { headers: B })).status).toBe(200);
  });

  it("shows a tenant only its own jobs: another tenant's job is a 404", async () => {
    const { url } = await startApp({ argv: ['--role', 'api', '--api-keys', KEYS] });
    const job = (
      await call(url, 'POST', '/v1/jobs', { body: { type: 'simulate', id: 'shared-id' }, headers: A })
    ).body;
    expect((await call(url, 'GET', `/v1/jobs/${job.id}`, { headers: B })).status).toBe(404);
    expect((await call(url, 'POST', `/v1/jobs/${job.id}/cancel`, { headers: B })).status).toBe(404);
    expect((await call(url, 'GET', `/v1/jobs/${job.id}/logs`, { headers: B })).status).toBe(404);
    expect((await call(url, 'GET', `/v1/jobs/${job.id}/events`, { headers: B })).status).toBe(404);
    expect((await call(url, 'GET', '/v1/jobs', { headers: B })).body.data).toEqual([]);
    // The same client-chosen id is free in another tenant: ids never reveal other tenants' jobs.
    expect(
      (await call(url, 'POST', '/v1/jobs', { body: { type: 'simulate', id: 'shared-id' }, headers: B }))
        .status,
    ).toBe(202);
    expect(
      (await call(url, 'GET', '/v1/jobs', { headers: A })).body.data.map((j: { id: string }) => j.id),
    ).toEqual(['shared-id']);
  });
});
