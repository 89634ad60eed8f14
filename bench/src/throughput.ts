/**
 * Throughput: no-op jobs end to end (submitted, run, completed, and the
 * submitter told), each system's submitter a process of its own that hears
 * of completions as a remote caller would, with the durability of longrun and
 * its peers matched in pairs; one job at a time and in batches, jobs/s and
 * the CPU time every process spent per job. The systems take turns within
 * each round.
 */
import { availableParallelism } from 'node:os';
import { adminQuery } from './lib/postgres.js';
import type { ChartPanel, Goal, ScenarioOptions, ScenarioResult } from './lib/scenario.js';
import { listening } from './lib/services.js';
import { quantile } from './lib/stats.js';
import { type Warmup, warmupText } from './lib/warmup.js';
import type { Role } from './throughput/cpu.js';
import { type Figures, ratioGoal, serverCpuGoal } from './throughput/goals.js';
import {
  BATCH,
  BATCHES_IN_FLIGHT,
  CONCURRENCY,
  MODES,
  type Mode,
  NOOP_TYPE,
  PGBOSS_IDLE_POLL_MS,
  SUBMITTERS,
} from './throughput/protocol.js';
import { type RedisPersistence, redisPersistence } from './throughput/redis-aof.js';
import { bullmq, longrun, type Measured, pgBoss, type System } from './throughput/systems.js';

const SQLITE_NORMAL = 'longrun (SQLite, synchronous=normal)';
const SQLITE_FULL = 'longrun (SQLite, synchronous=full)';
const POSTGRES = 'longrun (PostgreSQL)';
const BULLMQ_EVERYSEC = 'BullMQ (AOF everysec)';
const BULLMQ_ALWAYS = 'BullMQ (AOF always)';
const PGBOSS = 'pg-boss';
/** The issue's goal for the server's CPU per no-op job on SQLite, in µs. */
const SERVER_CPU_GOAL_US = 150;

const ROLES: readonly Role[] = ['submitter', 'server', 'store'];
const COLUMN: Record<Role | 'main' | 'total', string> = {
  submitter: 'submitter µs/job',
  server: 'server/worker µs/job',
  main: 'its main thread µs/job',
  store: 'Redis/PostgreSQL µs/job',
  total: 'total µs/job',
};

const modeLabel = (mode: Mode) => (mode === 'bulk' ? `bulk (batches of ${BATCH})` : 'one at a time');

function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** The median of the rounds that measured a figure, or null when none did. */
function medianOfMeasured(xs: readonly (number | null)[]): number | null {
  const measured = xs.filter((x): x is number => x !== null);
  return measured.length === 0 ? null : median(measured);
}

/** The sum of the roles measured, or null when none was. */
function total(cpu: Record<Role, number | null>): number | null {
  const known = ROLES.map((r) => cpu[r]).filter((x): x is number => x !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/** One system in one mode over the rounds: the median of each figure, and every round's rate. */
function summarise(system: System, mode: Mode, rounds: readonly Measured[]): Figures & { rates: number[] } {
  const cpu = {} as Record<Role, number | null>;
  for (const role of ROLES) cpu[role] = medianOfMeasured(rounds.map((m) => m.cpu[role]));
  return {
    system: system.name,
    mode,
    rate: median(rounds.map((m) => m.rate)),
    rates: rounds.map((m) => m.rate),
    cpu,
    total: medianOfMeasured(rounds.map((m) => total(m.cpu))),
    serverMainThread: medianOfMeasured(rounds.map((m) => m.serverMainThread)),
    ownCores: median(rounds.map((m) => m.ownCores)),
    machineCores: median(rounds.map((m) => m.machineCores)),
  };
}

async function postgresSettings(): Promise<string> {
  const { rows } = await adminQuery(
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'autovacuum') ORDER BY name",
  );
  return rows.map((r) => `\`${r.name}=${r.setting}\``).join(', ');
}

const redisText = (p: RedisPersistence) =>
  `\`appendonly ${p.appendonly}\`, \`appendfsync ${p.appendfsync}\`, \`save "${p.save}"\``;

function method(opts: {
  jobs: Record<Mode, number>;
  warmup: Warmup;
  rounds: number;
  redis: RedisPersistence | null;
  postgres: string | null;
}): string {
  const { jobs, warmup, rounds, redis, postgres } = opts;
  return [
    `${jobs['one-at-a-time']} no-op jobs per system one at a time and ${jobs.bulk} in bulk, each after a warm-up of ` +
      `${warmupText(warmup)} in the same mode; ` +
      `median of ${rounds} round${rounds > 1 ? 's' : ''}, ` +
      'the systems taking turns within a round, each set up afresh for its turn and measured one at a time, then in bulk. ' +
      `Every system has ${CONCURRENCY} worker slots, and its submitter is a Node process of its own that hears of ` +
      'completions as a remote caller would; the benchmark process only starts, times and samples them. ' +
      `One at a time: ${SUBMITTERS} submitter loops, each submitting a job and waiting to hear it completed before the next. ` +
      `Bulk: batches of ${BATCH}, ${BATCHES_IN_FLIGHT} calls awaiting their reply at once, until all are submitted; ` +
      'the clock stops when the last completion is heard.',
    'Durability is matched in pairs. longrun on SQLite (WAL) with `--sqlite-synchronous normal` (a commit is not ' +
      'synced: a crash of the process loses nothing, a power cut may lose the last writes) beside BullMQ on Redis ' +
      'with `appendonly yes`, `appendfsync everysec` (a power cut may lose the last second); longrun with ' +
      '`synchronous=full` (the default: a job is acknowledged once its commit is synced) beside `appendfsync always` ' +
      "(every write synced before Redis replies). Redis is set so for BullMQ's turn, measured once the append-only " +
      `file's rewrite has finished, and put back after it as found${redis ? ` (${redisText(redis)})` : ''}. ` +
      `longrun (PostgreSQL) and pg-boss use the machine's PostgreSQL as it runs${postgres ? ` (${postgres})` : ''}: ` +
      'a commit returns once its WAL is flushed.',
    'longrun: one server process (`--concurrency 32`, no rate limits, retention off) on a fresh data dir or schema, ' +
      `its jobs of a type whose handler does nothing (\`${NOOP_TYPE}\`, loaded with \`--processors\`; the built-in ` +
      '`simulate`, even with no duration, logs a line and reports progress for each of its three stages). ' +
      'One at a time, each job is one `POST /v1/jobs` with `Prefer: wait=60` over keep-alive HTTP, answered when the ' +
      'job has completed; bulk, `POST /v1/jobs/batch` of 100, with completions heard on one ' +
      '`GET /v1/events?status=completed,failed,canceled` stream opened before the first batch. Per job the server ' +
      'writes the job when it accepts it, when a worker slot claims it and when it finishes, and pushes the finish ' +
      'to the waiting request or the stream.',
    `BullMQ: a Worker process (concurrency ${CONCURRENCY}, a handler that does nothing) and a submitter process ` +
      "with a Queue and a QueueEvents (the queue's events stream in Redis, read with XREAD). One at a time, " +
      '`Queue.add` then `job.waitUntilFinished(queueEvents)`; bulk, `Queue.addBulk` of 100, counting `completed` ' +
      'events. Per job Redis runs the add, the move to active and the move to completed as Lua scripts, and appends ' +
      "the job's events to the stream.",
    `pg-boss: a worker process looping \`fetch\` (up to ${CONCURRENCY} jobs), \`complete\` of their ids, then a ` +
      'NOTIFY of those ids that the submitter process LISTENs for: pg-boss tells no other process that a job ' +
      'completed, so this is the earliest a remote caller could hear of a completion that is written. After a ' +
      `fetch that found nothing the worker fetches again ${PGBOSS_IDLE_POLL_MS} ms later (pg-boss's own \`work()\` ` +
      'waits at least 0.5 s between fetches, and `notifyWorker` wakes only workers of its own process). The ' +
      "worker's pg-boss instance has pg-boss's defaults; the submitter's runs no maintenance or schedules. One at a " +
      'time, `send`; bulk, `insert` of 100. Per job PostgreSQL inserts a row and updates it when fetched and when ' +
      `completed, in statements of up to ${CONCURRENCY} jobs.`,
    'CPU µs per job: user + system time from /proc/<pid>/stat (10 ms ticks) over the measured jobs, divided by ' +
      "them, for each process: the submitter; the longrun server, or the peer's worker; Redis (its one process, " +
      "threads included) or PostgreSQL (the backends of the system's own connections, told apart by " +
      "application_name in pg_stat_activity, and PostgreSQL's shared processes: postmaster, checkpointer, WAL " +
      "writer, background writer). SQLite works inside the longrun server. Its main thread: the server's or " +
      "worker's main thread alone (/proc/<pid>/task/<pid>/stat), where a Node process runs its JavaScript; its " +
      "other threads (the garbage collector's helpers, libuv's pool) run beside it. Total is the sum of the " +
      'processes; each column is the ' +
      'median of the rounds. CPU per job does not depend on how busy the rest of the machine is, where jobs/s does. ' +
      "Cores busy: the system's processes' CPU time over the measurement's wall time, and the machine's busy time " +
      `over it (/proc/stat, of ${availableParallelism()} cores: the system and any other work on the machine).`,
  ].join('\n\n');
}

export async function run({ quick }: ScenarioOptions): Promise<ScenarioResult> {
  // Every system is measured warm, as it runs in production: a Node process compiles its hot code
  // in its first seconds under load, and until then spends its CPU on V8's optimizing compiler as
  // much as on jobs (longrun's server, one at a time on PostgreSQL: about 20% of its CPU in the
  // compiler through its first 4 s under load, 9% at 6 s, under 2% from 8 s on). A warm-up of a few
  // thousand jobs, a second or two, measured every system while it compiled; so each mode warms for
  // at least 10 s. (A quick run keeps a short warm-up, and shows it.)
  // In bulk the submitter runs ahead of the workers and the queue grows as deep as a large batch
  // makes it: enough jobs that each system's turn lasts seconds, its queue deep for most of it.
  const jobs: Record<Mode, number> = quick
    ? { 'one-at-a-time': 1000, bulk: 1000 }
    : { 'one-at-a-time': 5000, bulk: 20_000 };
  const warmup: Warmup = quick ? { jobs: 300, seconds: 0 } : { jobs: 2000, seconds: 10 };
  const rounds = quick ? 1 : 3;
  const redis = await listening(6379);
  const postgres = await listening(5432);
  // Pairs of like durability, next to each other.
  const systems: System[] = [longrun('sqlite', 'normal')];
  if (redis) systems.push(bullmq('everysec'));
  systems.push(longrun('sqlite', 'full'));
  if (redis) systems.push(bullmq('always'));
  if (postgres) systems.push(longrun('postgres'), pgBoss());
  const redisFound = redis ? await redisPersistence() : null;
  const postgresFound = postgres ? await postgresSettings() : null;

  const measured = systems.map(() => [] as Measured[]);
  for (let round = 1; round <= rounds; round++) {
    for (const [i, s] of systems.entries()) {
      for (const m of await s.measure(jobs, warmup)) {
        measured[i]!.push(m);
        const cpu = ROLES.map((r) => `${r} ${m.cpu[r] === null ? '—' : m.cpu[r]!.toFixed(0)}`).join(', ');
        console.log(
          `  round ${round}/${rounds} ${s.name}, ${modeLabel(m.mode)}: ${m.rate.toFixed(0)} jobs/s; CPU µs/job ${cpu}`,
        );
      }
    }
  }
  if (redisFound) {
    const now = await redisPersistence();
    if (redisText(now) !== redisText(redisFound))
      console.error(`  Redis settings not as found: ${redisText(now)}, was ${redisText(redisFound)}`);
  }

  const summaries = MODES.flatMap((mode) =>
    systems.map((system, i) => ({
      system,
      figures: summarise(
        system,
        mode,
        measured[i]!.filter((m) => m.mode === mode),
      ),
    })),
  );
  const figures = summaries.map((s) => s.figures);
  const cores = availableParallelism();
  const goals: Goal[] = [];
  for (const mode of MODES) {
    // The issue's goals: 1.5x pg-boss in both modes; against BullMQ, par one at a time and 1.5x in bulk.
    const overBullmq = mode === 'bulk' ? 1.5 : 1.0;
    goals.push(
      ratioGoal(figures, { ours: POSTGRES, theirs: PGBOSS, mode, target: 1.5, cores }),
      ratioGoal(figures, { ours: SQLITE_NORMAL, theirs: BULLMQ_EVERYSEC, mode, target: overBullmq, cores }),
      ratioGoal(figures, { ours: SQLITE_FULL, theirs: BULLMQ_ALWAYS, mode, target: overBullmq, cores }),
    );
  }
  goals.push(
    serverCpuGoal(figures, {
      systems: [SQLITE_NORMAL, SQLITE_FULL],
      limit: SERVER_CPU_GOAL_US,
      judged: 'bulk',
    }),
  );

  const us = (x: number | null) => (x === null ? '—' : Math.round(x));
  const charts: ChartPanel[] = MODES.map((mode) => ({
    title:
      mode === 'bulk'
        ? `Throughput in bulk: ${jobs.bulk} no-op jobs in batches of ${BATCH}, ${CONCURRENCY} worker slots`
        : `Throughput one at a time: ${jobs['one-at-a-time']} no-op jobs, ${SUBMITTERS} submitters each waiting for its job, ${CONCURRENCY} worker slots`,
    unit: 'jobs/s',
    series: ['jobs/s'],
    groups: summaries
      .filter((s) => s.figures.mode === mode)
      .map((s) => ({ label: s.system.name, values: [s.figures.rate], ours: s.system.ours })),
  }));
  return {
    name: 'throughput',
    rows: summaries.map(({ system, figures: f }) => ({
      system: system.name,
      'store, durability': system.settings,
      mode: modeLabel(f.mode),
      'jobs/s': Math.round(f.rate),
      rounds: f.rates.map((x) => x.toFixed(0)).join(', '),
      [COLUMN.submitter]: us(f.cpu.submitter),
      [COLUMN.server]: us(f.cpu.server),
      [COLUMN.main]: us(f.serverMainThread),
      [COLUMN.store]: us(f.cpu.store),
      [COLUMN.total]: us(f.total),
      'cores busy: own / machine': `${f.ownCores.toFixed(1)} / ${f.machineCores.toFixed(1)}`,
    })),
    goals,
    charts,
    method: method({ jobs, warmup, rounds, redis: redisFound, postgres: postgresFound }),
  };
}
