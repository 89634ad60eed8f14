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
  let last: Job | undefined;
  // Ctrl-C ends the wait, not the job: put the terminal back and leave.
  const onInterrupt = () => {
    controller.abort();
    view.stop();
    process.stderr.write(`longrun: stopped waiting; ${id} goes on (longrun wait ${id})\n`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  // The deadline is ours to keep, whatever the transport is doing when it comes.
  let timedOut = false;
  const timer =
    timeout === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeout * 1000);
  const giveUp = () => {
    view.stop();
    process.stderr.write(
      `longrun: gave up waiting after ${timeout}s; ${id} goes on${last ? ` (${describeProgress(last)})` : ''}\n`,
    );
    return EXIT.timedOut;
  };
  try {
    for (;;) {
      try {
        const job = await client.jobs.wait(id, {
          timeoutMs: timeout === undefined ? TURN_MS : timeout * 1000 + 1000,
          signal: controller.signal,
          onProgress: (j) => {
            last = j;
            view.update(j);
          },
        });
        view.update(job);
        view.stop();
        if (mode !== 'json' && job.status === 'completed')
          for (const line of artifactLines(job)) process.stdout.write(`${line}\n`);
        return exitCodeFor(job);
      } catch (err) {
        if (timedOut) return giveUp();
        if (err instanceof WaitTimeoutError) {
          last = (err.last as Job | undefined) ?? last;
          if (timeout === undefined) continue;
          return giveUp();
        }
        view.stop();
        throw err;
      }
    }
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onInterrupt);
  }
}
