import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskArtifactStorage } from '../../src/artifacts/storage.js';
import { defaultConfig } from '../../src/config.js';
import { LocalFeed } from '../../src/feed/local-feed.js';
import { JobService } from '../../src/jobs/service.js';
import { ProcessorRegistry } from '../../src/processors/registry.js';
import { SqliteJobStore } from '../../src/store/sqlite/store.js';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import type { WebhookRenderer } from '../../src/webhooks/model.js';
import { parseSecret, WebhookSecrets } from '../../src/webhooks/signing.js';
import { eventually, tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { startReceiver, webhookHeaders } from '../helpers/receiver.js';

useCleanup();

const T = 'default';
const settings = defaultConfig();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A store, a service and a dispatcher that knows one format, `status-line`; jobs are finished by hand. */
async function setup({ secret }: { secret: string | null }) {
  const dir = tempDir();
  const store = new SqliteJobStore({
    filename: join(dir, 'db.sqlite'),
    synchronous: settings.sqliteSynchronous,
  });
  await store.migrate();
  const registry = new ProcessorRegistry().register({
    type: 'noop',
    description: 'Does nothing.',
    inputSchema: { type: 'object' },
    run: async () => ({}),
  });
  const secrets = new WebhookSecrets({ global: secret ? { current: parseSecret(secret) } : null });
  const service = new JobService({
    store,
    feed: new LocalFeed(),
    registry,
    artifacts: new DiskArtifactStorage(join(dir, 'artifacts')),
    simulateErrorRate: 0,
    defaultMaxAttempts: 1,
    webhooks: { policy: { allowPrivate: true }, hasSecret: (tenant) => secrets.has(tenant) },
  });
  const statusLine: WebhookRenderer = (d) =>
    JSON.stringify({ line: `${d.job.id} ${d.job.status} via ${d.format?.origin}` });
  const dispatcher = new WebhookDispatcher({
    store,
    secrets,
    schedule: [],
    timeoutMs: 5000,
    pollIntervalMs: 50,
    policy: { allowPrivate: true },
    formats: new Map([['status-line', statusLine]]),
  });
  service.onWebhook = () => dispatcher.kick();
  dispatcher.start();
  cleanups.push(async () => {
    await dispatcher.stop();
    await store.close();
  });
  /** Claim the job and finish it, as a worker would. */
  const complete = async () => {
    const [lease] = await service.claim({ queue: 'default', owner: 'test:1:x', leaseMs: 30_000, limit: 1 });
    await service.finish(lease!.token, 'completed', { output: {} });
  };
  return { service, complete };
}

describe('webhook formats', () => {
  it('send the body the format renders, unsigned when there is no secret', async () => {
    const receiver = await startReceiver();
    const { service, complete } = await setup({ secret: null });
    const plain = service.create(T, { type: 'noop', webhook: { url: receiver.url } });
    await expect(plain).rejects.toMatchObject({ code: 'webhooks_not_configured' });
    const { job } = await service.create(T, {
      type: 'noop',
      webhook: { url: receiver.url, format: { name: 'status-line', origin: 'http://api.example:8000' } },
    });
    await complete();
    const [got] = await eventually(async () => (receiver.received.length > 0 ? receiver.received : null));
    expect(JSON.parse(got!.body)).toEqual({ line: `${job.id} completed via http://api.example:8000` });
    expect(got!.headers['webhook-id']).toMatch(/^msg_/);
    expect(got!.headers['webhook-signature']).toBeUndefined();
    const [delivery] = await eventually(async () => {
      const all = await service.deliveries(T, job.id);
      return all[0]?.status === 'delivered' ? all : null;
    });
    expect(delivery!.format).toEqual({ name: 'status-line', origin: 'http://api.example:8000' });
  });

  it('sign the rendered body with the Standard Webhooks headers when a secret is set', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver = await startReceiver();
    const { service, complete } = await setup({ secret });
    await service.create(T, {
      type: 'noop',
      webhook: { url: receiver.url, format: { name: 'status-line', origin: 'http://o' } },
    });
    await complete();
    const [got] = await eventually(async () => (receiver.received.length > 0 ? receiver.received : null));
    expect(new Webhook(secret).verify(got!.body, webhookHeaders(got!.headers))).toMatchObject({
      line: expect.stringMatching(/ completed via http:\/\/o$/),
    });
  });

  it('record a format this server cannot render as a failed attempt, sending nothing', async () => {
    const receiver = await startReceiver();
    const { service, complete } = await setup({ secret: null });
    const { job } = await service.create(T, {
      type: 'noop',
      webhook: { url: receiver.url, format: { name: 'unheard-of', origin: 'http://o' } },
    });
    await complete();
    const [delivery] = await eventually(async () => {
      const all = await service.deliveries(T, job.id);
      return all[0]?.status === 'failed' ? all : null;
    });
    expect(delivery!.last_error).toBe('this server has no webhook format "unheard-of"');
    expect(receiver.received).toHaveLength(0);
  });
});
