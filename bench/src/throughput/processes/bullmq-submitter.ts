/**
 * The submitter of BullMQ in the throughput scenario, a caller in another
 * process than the worker: it hears of completions as BullMQ tells such a
 * caller, through QueueEvents (Redis's events stream of the queue). One at a
 * time, `Queue.add` then `job.waitUntilFinished(queueEvents)`; bulk,
 * `Queue.addBulk` of a batch, counting `completed` events.
 *
 *   node throughput/processes/bullmq-submitter.js <queue name>
 */
import { Queue, QueueEvents } from 'bullmq';
import { redisConnection } from '../../lib/redis.js';
import { Completions } from '../completions.js';
import { serveSubmitter } from '../serve.js';

const [name] = process.argv.slice(2);
if (!name) throw new Error('usage: bullmq-submitter.js <queue name>');
const connections = [redisConnection(), redisConnection()];
const queue = new Queue(name, { connection: connections[0]! });
// From the stream's start (the queue is new), so no event is missed before the first read.
const events = new QueueEvents(name, { connection: connections[1]!, lastEventId: '0-0' });
events.setMaxListeners(0);
// Every add waiting for its reply listens for the queue closing.
queue.setMaxListeners(0);
events.on('failed', ({ jobId, failedReason }) => {
  console.error(`BullMQ submitter: job ${jobId} failed: ${failedReason}`);
  process.exit(1);
});
await queue.waitUntilReady();
await events.waitUntilReady();

serveSubmitter({
  async one() {
    const job = await queue.add('noop', {});
    await job.waitUntilFinished(events);
  },
  async openBulk() {
    const completions = new Completions();
    const heard = ({ jobId }: { jobId: string }) => completions.heard(jobId);
    events.on('completed', heard);
    return {
      completions,
      async submit(size) {
        const jobs = await queue.addBulk(Array.from({ length: size }, () => ({ name: 'noop', data: {} })));
        return jobs.map((job) => job.id!);
      },
      async close() {
        events.off('completed', heard);
      },
    };
  },
  async close() {
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    for (const c of connections) c.disconnect();
  },
});
