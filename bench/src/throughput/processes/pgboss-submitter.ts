/**
 * The submitter of pg-boss in the throughput scenario: one at a time,
 * `boss.send`; bulk, `boss.insert` of a batch. It hears of completions by
 * LISTENing on the channel the worker NOTIFYs once `complete` has written
 * them (processes/pgboss-worker.ts). It only submits: no maintenance, no
 * schedules (the worker's instance runs pg-boss's maintenance).
 *
 *   node throughput/processes/pgboss-submitter.js <schema>
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { databaseUrl } from '../../lib/postgres.js';
import { Completions } from '../completions.js';
import { PGBOSS_QUEUE, pgBossDoneChannel } from '../protocol.js';
import { serveSubmitter } from '../serve.js';

const [schema] = process.argv.slice(2);
if (!schema) throw new Error('usage: pgboss-submitter.js <schema>');
const boss = new PgBoss({
  connectionString: databaseUrl,
  schema,
  application_name: `pgboss/${schema}/submitter`,
  supervise: false,
  schedule: false,
  migrate: false,
});
boss.on('error', (err) => console.error(`pg-boss submitter: ${err.message}`));
await boss.start();

const completions = new Completions();
const listener = new pg.Client({
  connectionString: databaseUrl,
  application_name: `pgboss/${schema}/listen`,
});
await listener.connect();
listener.on('notification', ({ payload }) => {
  for (const id of (payload ?? '').split(',')) completions.heard(id);
});
await listener.query(`LISTEN ${pg.escapeIdentifier(pgBossDoneChannel(schema))}`);

serveSubmitter({
  async one() {
    const id = await boss.send(PGBOSS_QUEUE, {});
    if (!id) throw new Error('pg-boss send returned no id');
    await completions.waitFor(id);
  },
  async openBulk() {
    return {
      completions,
      async submit(size) {
        const jobs = Array.from({ length: size }, () => ({ id: randomUUID(), name: PGBOSS_QUEUE, data: {} }));
        await boss.insert(jobs);
        return jobs.map((job) => job.id);
      },
      async close() {},
    };
  },
  async close() {
    await listener.end();
    await boss.stop({ graceful: false, wait: true });
  },
});
