/**
 * The child side of a submitter or worker process: it answers the scenario's
 * commands over the IPC channel and drives the jobs of each run.
 */
import { performance } from 'node:perf_hooks';
import type { Completions } from './completions.js';
import { BATCH, BATCHES_IN_FLIGHT, type Command, type Mode, type Report, SUBMITTERS } from './protocol.js';

/** What a bulk run submits with, and where it hears its jobs complete. */
export interface BulkSession {
  /** Submit `size` jobs in one call; resolves with their ids once the system accepted them. */
  submit(size: number): Promise<string[]>;
  completions: Completions;
  close(): Promise<void>;
}

/** One system's client, as a remote caller would use it. */
export interface SubmitterParts {
  /** Submit one job; resolves when its completion is heard. */
  one(): Promise<void>;
  /** Open what a bulk run hears completions on. */
  openBulk(): Promise<BulkSession>;
  close(): Promise<void>;
}

function report(r: Report): void {
  process.send!(r);
}

/** {@link SUBMITTERS} loops, each submitting one job and waiting for it before the next, until `jobs` are done. */
async function oneAtATime(jobs: number, one: () => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: SUBMITTERS }, async () => {
      while (next < jobs) {
        next += 1;
        await one();
      }
    }),
  );
}

/** Batches of {@link BATCH}, {@link BATCHES_IN_FLIGHT} calls at a time, then every job's completion. */
async function bulk(jobs: number, session: BulkSession): Promise<void> {
  let next = 0;
  const heard: Promise<void>[] = [];
  await Promise.all(
    Array.from({ length: BATCHES_IN_FLIGHT }, async () => {
      while (next < jobs) {
        const size = Math.min(BATCH, jobs - next);
        next += size;
        for (const id of await session.submit(size)) heard.push(session.completions.waitFor(id));
      }
    }),
  );
  await Promise.all(heard);
}

async function run(parts: SubmitterParts, mode: Mode, jobs: number): Promise<number> {
  if (mode === 'one-at-a-time') {
    const t0 = performance.now();
    await oneAtATime(jobs, parts.one);
    return (performance.now() - t0) / 1000;
  }
  const session = await parts.openBulk();
  try {
    const t0 = performance.now();
    await bulk(jobs, session);
    return (performance.now() - t0) / 1000;
  } finally {
    await session.close();
  }
}

/** The parent went away: nothing is left to report to. */
function exitWithParent(): void {
  process.once('disconnect', () => process.exit(1));
}

/** Serve the scenario's commands, one at a time, with `parts`; tells the scenario it is ready. */
export function serveSubmitter(parts: SubmitterParts): void {
  exitWithParent();
  process.on('message', (cmd: Command) => {
    if (cmd.op === 'stop') {
      void parts.close().finally(() => process.exit(0));
      return;
    }
    run(parts, cmd.mode, cmd.jobs).then(
      (seconds) => report({ op: 'ran', seconds }),
      (err: Error) => report({ op: 'failed', message: err.stack ?? String(err) }),
    );
  });
  report({ op: 'ready' });
}

/** A worker process: ready now, and stopped (after `close`) when the scenario says so. */
export function serveWorker(close: () => Promise<void>): void {
  exitWithParent();
  process.on('message', (cmd: Command) => {
    if (cmd.op === 'stop') void close().finally(() => process.exit(0));
  });
  report({ op: 'ready' });
}
