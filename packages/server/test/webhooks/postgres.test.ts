import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { Webhook } from 'standardwebhooks';
import { expect, it } from 'vitest';
import { call, eventually, tempDir } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { expectOneJobFromConcurrentPosts } from '../helpers/idempotency.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';
import { startReceiver, webhookHeaders } from '../helpers/receiver.js';

useCleanup();

/** Three server processes on one PostgreSQL schema, as on three machines. */
async function cluster(key: string): Promise<LongrunServer[]> {
  const schema = uniqueSchema('hooks');
  afterThisTest(() => dropSchema(schema));
  const root = tempDir('longrun-hooks-pg-');
  const common = [
    ...['--database-url', PG_URL, '--database-schema', schema, '--database-pool-size', '4'],
    ...['--simulate-error-rate', '0', '--artifacts-dir', join(root, 'artifacts'), '--allow-private-urls'],
    ...['--webhook-poll-interval', '200ms', '--concurrency', '8', '--wait-concurrency', '8'],
  ];
  const nodes = await Promise.all(
    ['a', 'b', 'c'].map((name) =>
      startServer([...common, '--node-name', name], { dataDir: false, env: { LONGRUN_WEBHOOK_SECRET: key } }),
    ),
  );
  for (const node of nodes) afterThisTest(() => node.kill('SIGKILL'));
  return nodes;
}

describePostgres('webhooks and idempotency on PostgreSQL, many processes', () => {
  it('20 concurrent POSTs with one Idempotency-Key, spread over three processes, create one job', async () => {
    const nodes = await cluster(`whsec_${randomBytes(32).toString('base64')}`);
    const body = { type: 'simulate', input: { duration_seconds: 0 } };
    await expectOneJobFromConcurrentPosts(
      nodes.map((n) => n.url),
      body,
      'one-key',
    );
    const list = await call(nodes[0]!.url, 'GET', '/v1/jobs?limit=200');
    expect(list.body.data).toHaveLength(1);
    const other = await call(nodes[1]!.url, 'POST', '/v1/jobs', {
      body: { ...body, metadata: { other: true } },
      headers: { 'idempotency-key': 'one-key' },
    });
    expect(other.status).toBe(409);
  });

  it('every event of jobs run on three processes is delivered once, signed, from whichever process claims it', async () => {
    const key = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver = await startReceiver();
    const nodes = await cluster(key);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await call(nodes[i % 3]!.url, 'POST', '/v1/jobs', {
        body: {
          type: 'simulate',
          input: { duration_seconds: 0.1 },
          webhook: { url: receiver.url, events: ['job.started', 'job.completed'] },
        },
      });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    await eventually(async () => receiver.received.length >= 60, 60_000);
    const got = receiver.received.map((r) => `${r.json.data.id} ${r.json.type}`).sort();
    expect(got).toEqual(ids.flatMap((id) => [`${id} job.completed`, `${id} job.started`]).sort());
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(60);
    for (const r of receiver.received) new Webhook(key).verify(r.body, webhookHeaders(r.headers));
    for (const id of ids) {
      // Received first, recorded just after: wait for the record.
      const deliveries = await eventually(async () => {
        const list = (await call(nodes[2]!.url, 'GET', `/v1/jobs/${id}/webhook-deliveries`)).body.data;
        return list.every((d: { status: string }) => d.status === 'delivered') ? list : null;
      });
      expect(deliveries.map((d: { event: string }) => d.event)).toEqual(['job.started', 'job.completed']);
    }
  });
});
