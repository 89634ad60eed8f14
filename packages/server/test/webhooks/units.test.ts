import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { parseKeysFile } from '../../src/auth/keys-file.js';
import { MAX_RETRY_AFTER_MS, outcomeOf } from '../../src/webhooks/outcome.js';
import { parseRetryAfter, sendWebhook } from '../../src/webhooks/send.js';
import { parseSecret, signatureHeader, signingKeys, WebhookSecrets } from '../../src/webhooks/signing.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

describe('signing', () => {
  it('signs as the standardwebhooks package verifies, with one signature per key', () => {
    const body = '{"type":"job.completed","data":{"id":"x"}}';
    const timestamp = Math.floor(Date.now() / 1000);
    const header = signatureHeader({
      id: 'msg_1',
      timestamp,
      body,
      keys: [parseSecret(SECRET), parseSecret(OTHER)],
    });
    expect(header.split(' ')).toHaveLength(2);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': header,
    };
    for (const secret of [SECRET, OTHER])
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // The library's own signature is the one this server makes.
    expect(new Webhook(SECRET).sign('msg_1', new Date(timestamp * 1000), body)).toBe(header.split(' ')[0]);
    expect(() => new Webhook(SECRET).verify(`${body} `, headers)).toThrow();
  });

  it('refuses secrets that are not whsec_ and base64 of 24-64 bytes', () => {
    expect(() => parseSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/whsec_/);
    expect(() => parseSecret('whsec_c2hvcnQ=')).toThrow(/24 to 64 bytes/);
    expect(parseSecret(SECRET)).toHaveLength(24);
  });

  it('signs with the previous secret only until its time is up, per tenant or else the server’s', () => {
    const current = parseSecret(SECRET);
    const previous = { key: parseSecret(OTHER), until: 1000 };
    expect(signingKeys({ current, previous }, 999)).toEqual([current, previous.key]);
    expect(signingKeys({ current, previous }, 1000)).toEqual([current]);
    const secrets = new WebhookSecrets({
      global: { current },
      tenants: new Map([['t', { current: previous.key }]]),
    });
    expect(secrets.keysFor('t')).toEqual([previous.key]);
    expect(secrets.keysFor('other')).toEqual([current]);
    expect(new WebhookSecrets({ global: null }).has('t')).toBe(false);
  });
});

describe('retry decisions', () => {
  const schedule = [5_000, 300_000];
  const base = { retryAfterMs: null, schedule, now: 0 };
  it('delivers on 2xx, stops on 410, retries on the schedule with ±20% jitter, then fails', () => {
    expect(outcomeOf({ ...base, status: 204, attempts: 1 })).toEqual({ outcome: 'delivered' });
    expect(outcomeOf({ ...base, status: 410, attempts: 1 })).toEqual({ outcome: 'gone' });
    expect(outcomeOf({ ...base, status: 500, attempts: 1, random: () => 0 })).toEqual({
      outcome: 'retry',
      nextAttemptAt: 4_000,
    });
    expect(outcomeOf({ ...base, status: null, attempts: 2, random: () => 1 })).toEqual({
      outcome: 'retry',
      nextAttemptAt: 360_000,
    });
    expect(outcomeOf({ ...base, status: 500, attempts: 3 })).toEqual({ outcome: 'failed' });
    expect(outcomeOf({ ...base, status: 302, attempts: 3 })).toEqual({ outcome: 'failed' });
  });

  it('honours Retry-After on 429 and 503 only, capped at a day', () => {
    expect(outcomeOf({ ...base, status: 429, retryAfterMs: 60_000, attempts: 1 })).toEqual({
      outcome: 'retry',
      nextAttemptAt: 60_000,
    });
    expect(outcomeOf({ ...base, status: 503, retryAfterMs: 10 * MAX_RETRY_AFTER_MS, attempts: 1 })).toEqual({
      outcome: 'retry',
      nextAttemptAt: MAX_RETRY_AFTER_MS,
    });
    expect(outcomeOf({ ...base, status: 500, retryAfterMs: 60_000, attempts: 1, random: () => 0.5 })).toEqual(
      {
        outcome: 'retry',
        nextAttemptAt: 5_000,
      },
    );
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:01:00 GMT', 0)).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});

describe('sending', () => {
  it('refuses a private address unless allowed, and cuts a receiver that does not answer in time', async () => {
    const server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const refused = await sendWebhook({ url, body: '{}', headers: {}, timeoutMs: 5000, policy: {} });
      expect(refused.status).toBeNull();
      expect(refused.error).toMatch(/private, loopback and link-local addresses are refused/);
      const viaName = await sendWebhook({
        url: url.replace('127.0.0.1', 'localhost'),
        body: '{}',
        headers: {},
        timeoutMs: 5000,
        policy: {},
      });
      expect(viaName.error).toMatch(/refused/);
      const slow = await sendWebhook({
        url,
        body: '{}',
        headers: {},
        timeoutMs: 200,
        policy: { allowPrivate: true },
      });
      expect(slow).toMatchObject({ status: null, error: 'no answer within 200 ms' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('keys file', () => {
  const hash = 'a'.repeat(64);
  it('says what is wrong, naming the entry but never a key', () => {
    expect(() => parseKeysFile([])).toThrow(/JSON object/);
    expect(() => parseKeysFile({ keys: [] })).toThrow(/non-empty/);
    expect(() => parseKeysFile({ keys: [{ sha256: 'abc', tenant: 't' }] })).toThrow(/keys\[0\]\.sha256/);
    expect(() => parseKeysFile({ keys: [{ sha256: hash, tenant: 'bad tenant' }] })).toThrow(
      /keys\[0\]\.tenant/,
    );
    expect(() =>
      parseKeysFile({ keys: [{ sha256: hash, tenant: 't' }], tenants: { t: { webhook_secret: 'plain' } } }),
    ).toThrow(/tenants\.t\.webhook_secret/);
    expect(() =>
      parseKeysFile({
        keys: [{ sha256: hash, tenant: 't' }],
        tenants: { t: { webhook_secret: SECRET, webhook_secret_previous: OTHER } },
      }),
    ).toThrow(/webhook_secret_previous_until/);
    const ok = parseKeysFile({
      keys: [{ sha256: hash, tenant: 't' }],
      tenants: {
        t: {
          webhook_secret: SECRET,
          webhook_secret_previous: OTHER,
          webhook_secret_previous_until: '2100-01-01',
        },
      },
    });
    expect(ok.secrets.get('t')?.previous?.until).toBe(Date.parse('2100-01-01'));
  });
});
