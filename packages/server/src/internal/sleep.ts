import { setTimeout as delay } from 'node:timers/promises';

/** Resolve after `ms`, or reject with the signal's reason as soon as it aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    // Node rejects with its own AbortError; callers tell a cancel from a shutdown by the reason.
    throw signal?.aborted ? signal.reason : err;
  }
}
