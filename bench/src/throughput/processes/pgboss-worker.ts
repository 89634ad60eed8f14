/**
 * The pg-boss worker of the throughput scenario. pg-boss has no way to tell a
 * caller in another process that a job completed, and its `work()` loop
 * completes a batch after the handler without saying when; so this worker
 * is its own loop: `fetch` up to CONCURRENCY jobs, `complete` them, and only
 * once the completion is written, NOTIFY their ids to the submitter. After a
 * fetch that found nothing it waits PGBOSS_IDLE_POLL_MS (pg-boss's own
 * `work()` waits at least 0.5 s between fetches, and its `notifyWorker` wakes
 * workers of its own process only).
 *
 *   node throughput/processes/pgboss-worker.js <schema>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import { databaseUrl } from '../../lib/postgres.js';
import { CONCURRENCY, PGBOSS_IDLE_POLL_MS, PGBOSS_QUEUE, pgBossDoneChannel } from '../protocol.js';
import { serveWorker } from '../serve.js';

const [schema] = process.argv.slice(2);
if (!schema) throw new Error('usage: pgboss-worker.js <schema>');
const boss = new PgBoss({
  connectionString: databaseUrl,
  schema,
  application_name: `pgboss/${schema}/worker`,
});
boss.on('error', (err) => console.error(`pg-boss worker: ${err.message}`));
await boss.start();
await boss.createQueue(PGBOSS_QUEUE);
const db = boss.getDb();
const channel = pgBossDoneChannel(schema);

let stopping = false;
const loop = (async () => {
  while (!stopping) {
    const jobs = await boss.fetch(PGBOSS_QUEUE, { batchSize: CONCURRENCY });
    if (jobs.length === 0) {
      await sleep(PGBOSS_IDLE_POLL_MS);
      continue;
    }
    const ids = jobs.map((job) => job.id);
    await boss.complete(PGBOSS_QUEUE, ids);
    // The next fetch need not wait for the notification to be sent.
    db.executeSql('SELECT pg_notify($1, $2)', [channel, ids.join(',')]).catch((err: Error) => {
      console.error(`pg-boss worker: NOTIFY failed: ${err.message}`);
      process.exit(1);
    });
  }
})();
loop.catch((err: Error) => {
  console.error(`pg-boss worker: ${err.stack ?? err}`);
  process.exit(1);
});

serveWorker(async () => {
  stopping = true;
  await loop;
  await boss.stop({ graceful: false, wait: true });
});
