/**
 * The systems of the throughput scenario, each set up fresh for a round and
 * measured in both modes: its submitter a process of its own, its server or
 * worker another, CPU time taken from /proc for every one of them.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { deploy } from '../lib/longrun.js';
import { dropSchema, freshSchema } from '../lib/postgres.js';
import { type Warmup, warmUp } from '../lib/warmup.js';
import { type BenchChild, startChild } from './child.js';
import { openCpuWindow, type Role, type RolePids } from './cpu.js';
import { BATCH, CONCURRENCY, MODES, type Mode } from './protocol.js';
import { type AppendFsync, withAppendOnly } from './redis-aof.js';
import { postgresPids, redisPid } from './store-processes.js';

export interface Measured {
  mode: Mode;
  jobs: number;
  seconds: number;
  rate: number;
  /** CPU µs per job of each role's processes; null when the role has none to measure. */
  cpu: Record<Role, number | null>;
  /** CPU µs per job of the server's (or worker's) main thread; null when not one process. */
  serverMainThread: number | null;
  /** Cores this system's processes kept busy. */
  ownCores: number;
  /** Cores the machine kept busy meanwhile, with whatever else it was doing. */
  machineCores: number;
}

export interface System {
  name: string;
  /** The store and how durable a write is when acknowledged. */
  settings: string;
  ours: boolean;
  /** Set up, measure both modes (`jobs` of each, after `warmup`), tear down. */
  measure(jobs: Record<Mode, number>, warmup: Warmup): Promise<Measured[]>;
}

const none = async () => null;

/** Run `mode` in turns of `warmup.jobs` (at least a batch) until both of the warm-up's minimums are met. */
function warmUpMode(submitter: BenchChild, mode: Mode, warmup: Warmup): Promise<void> {
  const turn = mode === 'bulk' ? Math.max(BATCH, warmup.jobs) : warmup.jobs;
  return warmUp(warmup, async () => {
    await submitter.run(mode, turn);
    return turn;
  });
}

async function measureModes(
  submitter: BenchChild,
  roles: Omit<RolePids, 'submitter'>,
  jobsOf: Record<Mode, number>,
  warmup: Warmup,
): Promise<Measured[]> {
  const pids: RolePids = { submitter: async () => [submitter.pid], ...roles };
  const out: Measured[] = [];
  for (const mode of MODES) {
    const jobs = jobsOf[mode];
    await warmUpMode(submitter, mode, warmup);
    const window = await openCpuWindow(pids);
    const seconds = await submitter.run(mode, jobs);
    const { roles: spent, serverMainThread, ownCores, machineCores } = await window.close();
    const perJob = (ms: number | null) => (ms === null ? null : (ms * 1000) / jobs);
    out.push({
      mode,
      jobs,
      seconds,
      rate: jobs / seconds,
      cpu: { submitter: perJob(spent.submitter), server: perJob(spent.server), store: perJob(spent.store) },
      serverMainThread: perJob(serverMainThread),
      ownCores,
      machineCores,
    });
  }
  return out;
}

/** Stop the children that started, in the order given. */
async function stopAll(children: readonly BenchChild[]): Promise<void> {
  for (const child of children) await child.stop();
}

/** One longrun server process (32 worker slots, no rate limits, a no-op job type) and a submitter process. */
export function longrun(store: 'sqlite' | 'postgres', sqliteSynchronous: 'full' | 'normal' = 'full'): System {
  return {
    name:
      store === 'postgres' ? 'longrun (PostgreSQL)' : `longrun (SQLite, synchronous=${sqliteSynchronous})`,
    settings: store === 'postgres' ? 'PostgreSQL' : `SQLite, WAL, synchronous=${sqliteSynchronous}`,
    ours: true,
    async measure(jobs, warmup) {
      const d = await deploy({
        store,
        concurrency: CONCURRENCY,
        sqliteSynchronous,
        args: [
          '--rate-limit-create',
          '0',
          '--rate-limit-read',
          '0',
          '--processors',
          fileURLToPath(new URL('./noop-processor.js', import.meta.url)),
        ],
      });
      const children: BenchChild[] = [];
      try {
        const submitter = await startChild('longrun-submitter', [d.url]);
        children.push(submitter);
        const schema = d.schema;
        return await measureModes(
          submitter,
          {
            server: async () => [d.server.proc.pid!],
            // SQLite works inside the server process.
            store: schema === null ? none : () => postgresPids(schema),
          },
          jobs,
          warmup,
        );
      } finally {
        await stopAll(children);
        await d.stop();
      }
    },
  };
}

/** BullMQ on the machine's Redis with its append-only file synced as given; worker and submitter processes. */
export function bullmq(appendfsync: AppendFsync): System {
  return {
    name: `BullMQ (AOF ${appendfsync})`,
    settings: `Redis, appendonly yes, appendfsync ${appendfsync}`,
    ours: false,
    measure: (jobs, warmup) =>
      withAppendOnly(appendfsync, async () => {
        const queue = `bench-${randomBytes(4).toString('hex')}`;
        const children: BenchChild[] = [];
        try {
          const worker = await startChild('bullmq-worker', [queue]);
          children.push(worker);
          const submitter = await startChild('bullmq-submitter', [queue]);
          children.push(submitter);
          const redis = await redisPid();
          return await measureModes(
            submitter,
            { server: async () => [worker.pid], store: async () => (redis === null ? null : [redis]) },
            jobs,
            warmup,
          );
        } finally {
          // The worker first: the submitter removes the queue's keys once the worker is gone.
          await stopAll(children);
        }
      }),
  };
}

/** pg-boss in a fresh schema of the machine's PostgreSQL; worker and submitter processes. */
export function pgBoss(): System {
  return {
    name: 'pg-boss',
    settings: 'PostgreSQL',
    ours: false,
    async measure(jobs, warmup) {
      const schema = freshSchema('pgboss');
      const children: BenchChild[] = [];
      try {
        // The worker's instance creates the schema and the queue; the submitter's only uses them.
        const worker = await startChild('pgboss-worker', [schema]);
        children.push(worker);
        const submitter = await startChild('pgboss-submitter', [schema]);
        children.push(submitter);
        return await measureModes(
          submitter,
          { server: async () => [worker.pid], store: () => postgresPids(schema) },
          jobs,
          warmup,
        );
      } finally {
        await stopAll(children);
        await dropSchema(schema);
      }
    },
  };
}
