import type { ChangeFeed } from '../feed/change-feed.js';
import type { StoredJob } from './model.js';
import { isTerminal } from './states.js';

/**
 * Follows one job's changes from the moment it is made: changes are kept
 * (the newest only), so a caller can subscribe first, then create or read the
 * job, and never miss what happened in between. A long-poll waits for the
 * next change ({@link next}); a stream or a worker takes every change as it
 * comes ({@link follow}).
 */
export class JobWatch {
  #latest: StoredJob | null = null;
  #waiter: { after: number; resolve: (job: StoredJob | null) => void } | null = null;
  #follower: ((job: StoredJob) => void) | null = null;
  readonly #unsubscribe: () => void;
  readonly #closing: AbortSignal;
  #closed = false;

  constructor(feed: ChangeFeed, tenant: string, id: string, closing: AbortSignal) {
    this.#closing = closing;
    this.#unsubscribe = feed.subscribe(tenant, id, (job) => {
      if (this.#latest && job.version <= this.#latest.version) return;
      this.#latest = job;
      this.#follower?.(job);
      const waiter = this.#waiter;
      if (waiter && (job.version > waiter.after || isTerminal(job.status))) {
        this.#waiter = null;
        waiter.resolve(job);
      }
    });
  }

  /**
   * The newest snapshot above version `after` (or a terminal one) seen since
   * the watch began; null when `timeoutMs` passes, `signal` fires, the watch
   * is closed or the server closes first.
   */
  next(
    after: number,
    { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<StoredJob | null> {
    const latest = this.#latest;
    if (latest && (latest.version > after || isTerminal(latest.status))) return Promise.resolve(latest);
    if (timeoutMs <= 0 || signal?.aborted || this.#closing.aborted || this.#closed)
      return Promise.resolve(null);
    return new Promise<StoredJob | null>((resolve) => {
      const done = (job: StoredJob | null) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#closing.removeEventListener('abort', onAbort);
        resolve(job);
      };
      const onAbort = () => {
        this.#waiter = null;
        done(null);
      };
      const timer = setTimeout(onAbort, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#closing.addEventListener('abort', onAbort, { once: true });
      this.#waiter = { after, resolve: done };
    });
  }

  /**
   * Hand `listener` the newest of `from` (the job as read or claimed once the
   * watch began) and what the watch saw since, now, then every newer snapshot
   * as it comes: in order of version, none twice. Snapshots seen before this
   * call are coalesced into the newest, as a slow stream's are.
   */
  follow(from: StoredJob, listener: (job: StoredJob) => void): void {
    if (!this.#latest || from.version > this.#latest.version) this.#latest = from;
    this.#follower = listener;
    listener(this.#latest);
  }

  /** Stop following; a pending {@link next} answers null. Closing again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#follower = null;
    this.#unsubscribe();
    this.#waiter?.resolve(null);
    this.#waiter = null;
  }
}
