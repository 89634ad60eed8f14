import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { call, eventually, startApp, tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { startReceiver, webhookHeaders } from '../helpers/receiver.js';

useCleanup();

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('rate limits per API key', () => {
  it('keeps separate create and read budgets per key, answering 429 rate_limited with Retry-After', async () => {
    const { url } = await startApp({
      argv: [
        '--role',
        'api',
        '--api-keys',
        'key-alpha-123:alpha,key-alpha-456:alpha,key-beta-4567:beta',
        '--rate-limit-create',
        '3',
        '--rate-limit-read',
        '5',
        '--rate-limit-window',
        '1h',
      ],
    });
    const a = { authorization: 'Bearer key-alpha-123' };
    const body = { type: 'simulate' };
    for (let i = 0; i < 3; i++)
      expect((await call(url, 'POST', '/v1/jobs', { body, headers: a })).status).toBe(202);
    const limited = await call(url, 'POST', '/v1/jobs', { body, headers: a });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
    // Reads have their own budget, untouched by the submissions.
    for (let i = 0; i < 5; i++) expect((await call(url, 'GET', '/v1/jobs', { headers: a })).status).toBe(200);
    const readLimited = await call(url, 'GET', '/v1/jobs', { headers: a });
    expect(readLimited.status).toBe(429);
    expect(readLimited.headers.get('retry-after')).not.toBeNull();
    // Per key: another key, even of the same tenant, has its own budgets.
    const a2 = { 'x-api-key': 'key-alpha-456' };
    expect((await call(url, 'POST', '/v1/jobs', { body, headers: a2 })).status).toBe(202);
    expect((await call(url, 'GET', '/v1/jobs', { headers: a2 })).status).toBe(200);
    expect((await call(url, 'GET', '/v1/jobs', { headers: { 'x-api-key': 'key-beta-4567' } })).status).toBe(
      200,
    );
    // Probes are never limited.
    for (let i = 0; i < 8; i++) expect((await call(url, 'GET', '/healthz')).status).toBe(200);
  });

  it('answers wrong keys 429 with Retry-After past --auth-failure-limit, while a valid key from the same address works', async () => {
    const { url } = await startApp({
      argv: ['--role', 'api', '--api-keys', 'key-alpha-123:alpha', '--auth-failure-limit', '5'],
    });
    const wrong = (n: number) =>
      call(url, 'GET', '/v1/jobs', { headers: { authorization: `Bearer guess-${n}` } });
    for (let i = 0; i < 5; i++) expect((await wrong(i)).status).toBe(401);
    const limited = await wrong(5);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Only failures are refused: the client holding a valid key shares the address and is not locked out.
    const valid = await call(url, 'GET', '/v1/jobs', { headers: { authorization: 'Bearer key-alpha-123' } });
    expect(valid.status).toBe(200);
    expect((await wrong(6)).status).toBe(429);
    // No key at all guesses nothing: still told to send one.
    expect((await call(url, 'GET', '/v1/jobs')).status).toBe(401);
    // The status API answers the limit in its own shape.
    const compat = await call(url, 'GET', '/status/x', { headers: { 'x-api-key': 'guess' } });
    expect(compat.status).toBe(429);
    expect(compat.body).toEqual({ detail: expect.stringMatching(/wrong API keys/) });
  });

  it('limits no wrong keys with --auth-failure-limit 0', async () => {
    const { url } = await startApp({
      argv: ['--role', 'api', '--api-keys', 'key-alpha-123:alpha', '--auth-failure-limit', '0'],
    });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(url, 'GET', '/v1/jobs', { headers: { authorization: `Bearer guess-${i}` } }),
      ),
    );
    expect(results.every((r) => r.status === 401)).toBe(true);
  });

  it('limits nothing on an open server unless asked', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const results = await Promise.all(Array.from({ length: 50 }, () => call(url, 'GET', '/v1/jobs')));
    expect(results.every((r) => r.status === 200)).toBe(true);
  });
});

describe('the keys file', () => {
  it('takes hashed keys, and signs each tenant’s webhooks with its own secret', async () => {
    const dir = tempDir();
    const alphaSecret = secret();
    const file = join(dir, 'keys.json');
    writeFileSync(
      file,
      JSON.stringify({
        keys: [
          { sha256: sha256('file-key-alpha'), tenant: 'alpha' },
          { sha256: sha256('file-key-beta'), tenant: 'beta' },
        ],
        tenants: { alpha: { webhook_secret: alphaSecret } },
      }),
    );
    const serverSecret = secret();
    const receiver = await startReceiver();
    const { url } = await startApp({
      argv: [
        '--api-keys-file',
        file,
        '--webhook-secret',
        serverSecret,
        '--allow-private-urls',
        '--simulate-error-rate',
        '0',
      ],
    });
    expect((await call(url, 'GET', '/v1/jobs')).status).toBe(401);
    expect(
      (
        await call(url, 'GET', '/v1/jobs', {
          headers: { authorization: `Bearer ${sha256('file-key-alpha')}` },
        })
      ).status,
    ).toBe(401);
    const job = (tenantKey: string) =>
      call(url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 0 }, webhook: { url: receiver.url } },
        headers: { authorization: `Bearer ${tenantKey}` },
      });
    const alpha = await job('file-key-alpha');
    const beta = await job('file-key-beta');
    expect(alpha.status).toBe(202);
    expect(beta.status).toBe(202);
    await eventually(async () => receiver.received.length === 2);
    const byJob = new Map(receiver.received.map((r) => [r.json.data.id, r]));
    const fromAlpha = byJob.get(alpha.body.id)!;
    const fromBeta = byJob.get(beta.body.id)!;
    new Webhook(alphaSecret).verify(fromAlpha.body, webhookHeaders(fromAlpha.headers));
    expect(() =>
      new Webhook(serverSecret).verify(fromAlpha.body, webhookHeaders(fromAlpha.headers)),
    ).toThrow();
    new Webhook(serverSecret).verify(fromBeta.body, webhookHeaders(fromBeta.headers));
  });

  it('refuses a server on a public address without keys, and accepts one with a keys file', () => {
    const base = { env: {}, cwd: tempDir() };
    expect(() => loadConfig({ ...base, argv: ['--host', '0.0.0.0'] })).toThrow(ConfigError);
    expect(loadConfig({ ...base, argv: ['--host', '0.0.0.0', '--api-keys-file', 'keys.json'] }).host).toBe(
      '0.0.0.0',
    );
    expect(() => loadConfig({ ...base, argv: ['--webhook-secret', 'not-a-secret'] })).toThrow(/whsec_/);
    expect(() => loadConfig({ ...base, argv: ['--webhook-secret-previous', secret()] })).toThrow(
      /--webhook-secret-previous-until/,
    );
  });
});
