/**
 * The BullMQ worker of the throughput scenario: a Worker with the scenario's
 * concurrency and a handler that does nothing.
 *
 *   node throughput/processes/bullmq-worker.js <queue name>
 */
import { Worker } from 'bullmq';
import { redisConnection } from '../../lib/redis.js';
import { CONCURRENCY } from '../protocol.js';
import { serveWorker } from '../serve.js';

const [name] = process.argv.slice(2);
if (!name) throw new Error('usage: bullmq-worker.js <queue name>');
const connection = redisConnection();
const worker = new Worker(name, async () => {}, { connection, concurrency: CONCURRENCY });
worker.on('error', (err) => console.error(`BullMQ worker: ${err.message}`));
await worker.waitUntilReady();
serveWorker(async () => {
  await worker.close();
  connection.disconnect();
});
