import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeysFile } from '../../src/auth/keys-file.js';
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

describe('operator keys', () => {
  it("reads /metrics, every tenant's counts, with an operator key only, inline or from a keys file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'longrun-keys-'));
    const keysFile = join(dir, 'keys.json');
    const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: [
          { sha256: sha256('file-tenant-key-1'), tenant: 'gamma' },
          { sha256: sha256('file-operator-key-1'), tenant: 'ops', role: 'operator' },
        ],
      }),
    );
    try {
      const { url } = await startApp({
        argv: [
          '--role',
          'api',
          '--api-keys',
          KEYS,
          '--operator-keys',
          'inline-operator-1:ops',
          '--api-keys-file',
          keysFile,
        ],
      });
      for (const key of ['key-alpha-123', 'file-tenant-key-1']) {
        const refused = await call(url, 'GET', '/metrics', { headers: { authorization: `Bearer ${key}` } });
        expect(refused.status).toBe(403);
        expect(refused.body.error.code).toBe('forbidden');
      }
      expect((await call(url, 'GET', '/metrics')).status).toBe(401);
      for (const key of ['inline-operator-1', 'file-operator-key-1']) {
        const scraped = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
        expect(scraped.status).toBe(200);
        expect(await scraped.text()).toMatch(/^longrun_jobs/m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a keys file entry with a role it does not know, naming the entry', () => {
    const doc = { keys: [{ sha256: 'a'.repeat(64), tenant: 't', role: 'admin' }] };
    expect(() => parseKeysFile(doc)).toThrow('keys[0].role must be one of "client", "worker", "operator"');
  });
});
