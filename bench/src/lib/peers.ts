import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { databaseUrl, dropSchema, freshSchema } from './postgres.js';

/**
 * A peer queue driven from this process: its worker runs here too, so the
 * submitter learns of a job's start and end from an in-process event, with
 * no network hop in between. That favours the peers; longrun is measured
 * over HTTP from a separate process.
 */
export interface PeerQueue {
  name: string;
  /**
   * Add one no-op job. `started` resolves with performance.now() when the
   * processor begins it, `done` when the submitter is told it completed.
   */
  add(): Promise<{ started: Promise<number>; done: Promise<void> }>;
  /** Resolves when every job added so far is recorded as completed by the peer itself. */
  settle(): Promise<void>;
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

/** BullMQ takes ready-made ioredis clients in an ES module; the worker's blocking reads need their own. */
function redis(): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null, lazyConnect: false });
}

/**
 * BullMQ on the machine's Redis: a Worker with `concurrency` slots. The
 * submitter is told by the worker's `completed` event (in-process), or with
 * `queueEvents` the way a submitter in another process is: `waitUntilFinished`
 * on a QueueEvents stream.
 */
export async function bullmq(concurrency: number, { queueEvents = false } = {}): Promise<PeerQueue> {
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const jobs = tracker();
  const connections = [redis(), redis(), redis()];
  const events = queueEvents ? new QueueEvents(name, { connection: connections[2]! }) : null;
  events?.setMaxListeners(0);
  const queue = new Queue(name, { connection: connections[0]! });
  const worker = new Worker<{ n: number }>(
    name,
    async (job) => {
      jobs.started(job.data.n, performance.now());
    },
    { connection: connections[1]!, concurrency },
  );
  if (!events) worker.on('completed', (job) => jobs.finished(job.data.n));
  worker.on('error', (err) => console.error(`BullMQ worker: ${err.message}`));
  await worker.waitUntilReady();
  await events?.waitUntilReady();
  return {
    name: queueEvents ? 'BullMQ, QueueEvents' : 'BullMQ',
    async add() {
      const { n, started, done } = jobs.open();
      const job = await queue.add('noop', { n });
      if (events) return { started, done: job.waitUntilFinished(events).then(() => jobs.finished(n)) };
      return { started, done };
    },
    // The `completed` event is emitted after the job is moved to completed in Redis.
    async settle() {},
    async close() {
      await worker.close();
      await events?.close();
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
 * handler returns, and `settle` waits until pg-boss has written every
 * completion (it does so after the handler, without waiting).
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
  let added = 0;
  return {
    name: 'pg-boss',
    async add() {
      const { n, started, done } = jobs.open();
      await boss.send(name, { n });
      added += 1;
      boss.notifyWorker(workerId);
      return { started, done };
    },
    async settle() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        for (;;) {
          const { rows } = await client.query(
            `SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(schema)}.job WHERE name = $1 AND state = 'completed'`,
            [name],
          );
          if (rows[0].n >= added) return;
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await client.end();
      }
    },
    async close() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await dropSchema(schema);
    },
  };
}
