/**
 * One remote worker process of the remote-workers benchmark: a @longrun/worker
 * serving `bench.noop`, a job that does nothing. With TIMING=1 it writes, per
 * job, when its handler started and returned (wall-clock ms, comparable across
 * processes on one machine) as `start <id> <ms>` and `end <id> <ms>` lines.
 *
 *   node remote/worker-process.js <server url> <concurrency>
 */
import { performance } from 'node:perf_hooks';
import { defineType, Worker } from '@longrun/worker';

const [url, slots = '1'] = process.argv.slice(2);
if (!url) throw new Error('usage: worker-process.js <server url> <concurrency>');
const timing = process.env.TIMING === '1';
const wallNow = () => performance.timeOrigin + performance.now();

const noop = defineType({
  type: 'bench.noop',
  description: 'Does nothing: the cost of the protocol alone.',
  inputSchema: { type: 'object', additionalProperties: true },
  async run(ctx) {
    // Its start, and its return: the SDK sends `complete` right after, in the same turn.
    if (timing) process.stdout.write(`start ${ctx.job.id} ${wallNow()}\nend ${ctx.job.id} ${wallNow()}\n`);
    return {};
  },
});

const worker = new Worker({
  baseUrl: url,
  types: [noop],
  concurrency: Number(slots),
  name: `bench-${process.pid}`,
});
await worker.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  worker.stop().then(() => process.exit(0));
});
