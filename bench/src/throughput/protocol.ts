/**
 * What the throughput scenario and its child processes share: the two ways
 * of submitting, their sizes, and the messages on the IPC channel between
 * the scenario and a submitter or worker process.
 */

/** One job per call, waiting for it before the next; or batches of jobs, hearing completions on a stream. */
export type Mode = 'one-at-a-time' | 'bulk';
export const MODES: readonly Mode[] = ['one-at-a-time', 'bulk'];

/** Submitter loops of the one-at-a-time mode, each with one job outstanding. */
export const SUBMITTERS = 64;
/** Jobs per call in the bulk mode. */
export const BATCH = 100;
/** Batch calls of the bulk mode awaiting their reply at once. */
export const BATCHES_IN_FLIGHT = 4;
/** longrun's job type of the scenario (noop-processor.ts): it does nothing, as the peers' handlers. */
export const NOOP_TYPE = 'bench.noop';
/** Worker slots of every system. */
export const CONCURRENCY = 32;
/**
 * How long a pg-boss worker waits before fetching again after a fetch found
 * nothing: short, so that a run's first fetch is at most this late; an empty
 * fetch costs PostgreSQL little.
 */
export const PGBOSS_IDLE_POLL_MS = 10;
/** The pg-boss queue of the benchmark (each run has its own schema). */
export const PGBOSS_QUEUE = 'bench';

/** The channel a pg-boss worker NOTIFYs the ids of the jobs it has completed on. */
export function pgBossDoneChannel(schema: string): string {
  return `${schema}_done`;
}

/** From the scenario to a submitter. */
export type Command = { op: 'run'; mode: Mode; jobs: number } | { op: 'stop' };

/** From a submitter or worker to the scenario. */
export type Report =
  | { op: 'ready' }
  /** `seconds` from the first submit to the last completion heard. */
  | { op: 'ran'; seconds: number }
  | { op: 'failed'; message: string };
