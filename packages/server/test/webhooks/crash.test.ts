import { randomBytes } from 'node:crypto';
import { startServer } from '@longrun/testkit';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { call, eventually, tempDir } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';
import { startReceiver, webhookHeaders } from '../helpers/receiver.js';

useCleanup();

const TITLE =
  'a SIGKILL after a job finished, before its webhook was acknowledged: delivered after the restart, same webhook-id';

describe('webhooks across a crash (SQLite)', () => {
  it(TITLE, () => crashBetweenFinishAndAck([]));
});

describePostgres('webhooks across a crash (PostgreSQL)', () => {
  it(TITLE, () => {
    const schema = uniqueSchema('hookcrash');
    afterThisTest(() => dropSchema(schema));
    return crashBetweenFinishAndAck(['--database-url', PG_URL, '--database-schema', schema]);
  });
});

async function crashBetweenFinishAndAck(storeArgs: string[]): Promise<void> {
  const key = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver();
  // The receiver takes the first request and never answers it: the server dies waiting.
  receiver.respond = (_r, n) => (n === 1 ? 'hold' : { status: 204 });
  const dataDir = tempDir();
  const server = await startServer(
    [
      '--allow-private-urls',
      '--simulate-error-rate',
      '0',
      '--webhook-timeout',
      '2s',
      // Only the crash can cause a second attempt: a failed one would wait ten minutes.
      '--webhook-retry-schedule',
      '10m',
      ...storeArgs,
    ],
    { dataDir, env: { LONGRUN_WEBHOOK_SECRET: key } },
  );
  afterThisTest(() => server.kill('SIGKILL'));
  const job = await call(server.url, 'POST', '/v1/jobs', {
    body: {
      type: 'simulate',
      input: { duration_seconds: 0.2 },
      webhook: { url: receiver.url, events: ['job.completed'] },
    },
  });
  expect(job.status).toBe(202);
  await eventually(async () => receiver.received.length === 1);
  expect(receiver.received[0]!.json).toMatchObject({ type: 'job.completed', data: { id: job.body.id } });
  await server.kill('SIGKILL');

  const again = await server.restart();
  afterThisTest(() => again.kill('SIGKILL'));
  await eventually(async () => receiver.received.length === 2, 30_000);
  const [first, second] = receiver.received;
  expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  expect(second!.body).toBe(first!.body);
  for (const r of receiver.received) new Webhook(key).verify(r.body, webhookHeaders(r.headers));
  const delivery = await eventually(async () => {
    const [d] = (await call(again.url, 'GET', `/v1/jobs/${job.body.id}/webhook-deliveries`)).body.data;
    return d?.status === 'delivered' ? d : null;
  });
  // The attempt cut by the crash was never recorded: one attempt, the one acknowledged.
  expect(delivery).toMatchObject({ attempt_count: 1, last_status_code: 204 });
}
