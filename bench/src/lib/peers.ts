import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import PgBoss from 'pg-boss';
import { databaseUrl, dropSchema, freshSchema } from './postgres.js';
import { redisConnection } from './redis.js';

/**
 * A peer queue driven from this process, for the dispatch latency: its worker
 * runs here too, so the submitter learns of a job's start and end from an
 * in-process event, with no network hop in between. (The throughput scenario
 * runs each peer's submitter and worker as processes of their own.)
 */
export interface PeerQueue {
  name: string;
  /**
   * Add one no-op job. `started` resolves with performance.now() when the
   * processor begins it, `done` when the submitter is told it completed.
   */
  add(): Promise<{ started: Promise<number>; done: Promise<void> }>;
  close(): Promise<void>;
}

interface Pending {
  start: (t: number) => void;
  done: () => void;
}

function tracker() {
  const pending = new Map<number, Pending>();
  let next = 0;
  return {
    /** A sequence number to put in the job's data, and the promises keyed by it. */
    open() {
      const n = next++;
      let start!: (t: number) => void;
      let done!: () => void;
      const started = new Promise<number>((r) => {
        start = r;
      });
      const finished = new Promise<void>((r) => {
        done = r;
      });
      pending.set(n, { start, done });
      return { n, started, done: finished };
    },
    started(n: number, t: number) {
      pending.get(n)?.start(t);
    },
    finished(n: number) {
      pending.get(n)?.done();
      pending.delete(n);
    },
  };
}

/** BullMQ on the machine's Redis: a Worker with `concurrency` slots, whose `completed` event tells the submitter. */
export async function bullmq(concurrency: number): Promise<PeerQueue> {
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const jobs = tracker();
  const connections = [redisConnection(), redisConnection()];
  const queue = new Queue(name, { connection: connections[0]! });
  const worker = new Worker<{ n: number }>(
    name,
    async (job) => {
      jobs.started(job.data.n, performance.now());
    },
    { connection: connections[1]!, concurrency },
  );
  worker.on('completed', (job) => jobs.finished(job.data.n));
  worker.on('error', (err) => console.error(`BullMQ worker: ${err.message}`));
  await worker.waitUntilReady();
  return {
    name: 'BullMQ',
    async add() {
      const { n, started, done } = jobs.open();
      await queue.add('noop', { n });
      return { started, done };
    },
    async close() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      for (const c of connections) c.disconnect();
    },
  };
}

/**
 * pg-boss on the machine's PostgreSQL, in its own schema. One worker fetching
 * batches of up to `concurrency` jobs, woken by `notifyWorker` after every
 * send (else it sleeps its polling interval, at least 0.5 s, between fetches).
 * pg-boss has no completion notification; the submitter is told when the
 * handler returns.
 */
export async function pgBoss(concurrency: number): Promise<PeerQueue> {
  const schema = freshSchema('pgboss');
  const name = 'bench';
  const jobs = tracker();
  const boss = new PgBoss({ connectionString: databaseUrl, schema });
  boss.on('error', (err) => console.error(`pg-boss: ${err.message}`));
  await boss.start();
  await boss.createQueue(name);
  const workerId = await boss.work<{ n: number }>(
    name,
    { batchSize: concurrency, pollingIntervalSeconds: 0.5 },
    async (batch) => {
      const t = performance.now();
      for (const job of batch) jobs.started(job.data.n, t);
      queueMicrotask(() => {
        for (const job of batch) jobs.finished(job.data.n);
      });
    },
  );
  return {
    name: 'pg-boss',
    async add() {
      const { n, started, done } = jobs.open();
      await boss.send(name, { n });
      boss.notifyWorker(workerId);
      return { started, done };
    },
    async close() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await dropSchema(schema);
    },
  };
}
