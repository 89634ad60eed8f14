import type { ChangeFeed } from '../feed/change-feed.js';
import type { StoredJob } from './model.js';
import { isTerminal } from './states.js';

/**
 * Follows one job's changes from the moment it is made: changes are kept
 * (the newest only), so a caller can subscribe first, then create or read the
 * job, and never miss what happened in between.
 */
export class JobWatch {
  #latest: StoredJob | null = null;
  #waiter: { after: number; resolve: (job: StoredJob | null) => void } | null = null;
  readonly #unsubscribe: () => void;
  readonly #closing: AbortSignal;

  constructor(feed: ChangeFeed, tenant: string, id: string, closing: AbortSignal) {
    this.#closing = closing;
    this.#unsubscribe = feed.subscribe(tenant, id, (job) => {
      if (this.#latest && job.version <= this.#latest.version) return;
      this.#latest = job;
      const waiter = this.#waiter;
      if (waiter && (job.version > waiter.after || isTerminal(job.status))) {
        this.#waiter = null;
        waiter.resolve(job);
      }
    });
  }

  /**
   * The newest snapshot above version `after` (or a terminal one) seen since
   * the watch began; null when `timeoutMs` passes, `signal` fires or the
   * server closes first.
   */
  next(
    after: number,
    { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<StoredJob | null> {
    const latest = this.#latest;
    if (latest && (latest.version > after || isTerminal(latest.status))) return Promise.resolve(latest);
    if (timeoutMs <= 0 || signal?.aborted || this.#closing.aborted) return Promise.resolve(null);
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

  close(): void {
    this.#unsubscribe();
    this.#waiter?.resolve(null);
    this.#waiter = null;
  }
}
