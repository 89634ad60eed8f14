import { type Job, type Longrun, WaitTimeoutError } from '@longrun/client';
import { isTerminal } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { artifactLines } from '../output/job-text.js';
import { describeProgress, type WaitMode, waitView } from '../output/wait-view.js';

export interface WaitFlags {
  /** Give up after this many seconds (exit 3); the job goes on. Unset: wait as long as it takes. */
  timeout?: number;
  json?: boolean;
}

/** Without --timeout the wait is renewed in day-long turns, so it lasts as long as the job. */
const TURN_MS = 24 * 3600 * 1000;

export function exitCodeFor(job: Job): number {
  if (job.status === 'completed') return EXIT.completed;
  if (job.status === 'failed') return EXIT.failed;
  if (job.status === 'canceled') return EXIT.canceled;
  return EXIT.error;
}

/** Show a job until it ends and return the exit code for its outcome. */
export async function waitAndShow(
  client: Longrun,
  id: string,
  { timeout, json }: WaitFlags,
): Promise<number> {
  const mode: WaitMode = json ? 'json' : isTerminal(process.stderr) ? 'bar' : 'lines';
  const view = waitView({ mode });
  const controller = new AbortController();
  // Ctrl-C ends the wait, not the job: put the terminal back and leave.
  const onInterrupt = () => {
    controller.abort();
    view.stop();
    process.stderr.write(`longrun: stopped waiting; ${id} goes on (longrun wait ${id})\n`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeout * 1000;
  try {
    for (;;) {
      const timeoutMs = Math.max(0, Math.min(TURN_MS, deadline - Date.now()));
      try {
        const job = await client.jobs.wait(id, {
          timeoutMs,
          signal: controller.signal,
          onProgress: (j) => view.update(j),
        });
        view.update(job);
        view.stop();
        if (mode !== 'json' && job.status === 'completed')
          for (const line of artifactLines(job)) process.stdout.write(`${line}\n`);
        return exitCodeFor(job);
      } catch (err) {
        if (!(err instanceof WaitTimeoutError) || Date.now() < deadline) {
          if (err instanceof WaitTimeoutError) continue;
          view.stop();
          throw err;
        }
        view.stop();
        const last = err.last as Job | undefined;
        process.stderr.write(
          `longrun: gave up waiting after ${timeout}s; ${id} goes on${last ? ` (${describeProgress(last)})` : ''}\n`,
        );
        return EXIT.timedOut;
      }
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
