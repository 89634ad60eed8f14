import type { StoredJob } from '../jobs/model.js';

export type JobListener = (job: StoredJob) => void;
export type QueuedListener = (job: { tenant: string; id: string; type: string }) => void;

/**
 * `local`: in-process only. A cross-process feed is `connecting` at start,
 * `listening` while it hears other processes, `reconnecting` while it does not
 * (it catches up once back), `closed` after close().
 */
export type FeedState = 'local' | 'connecting' | 'listening' | 'reconnecting' | 'closed';

/**
 * The change feed: every state change is published here once, and SSE
 * streams, long-poll waiters, the worker pool and webhooks all listen. A
 * backend that spans processes (PostgreSQL LISTEN/NOTIFY) wraps this and feeds
 * it what other processes changed.
 */
export interface ChangeFeed {
  readonly state: FeedState;
  publish(job: StoredJob): void;
  /** Changes to one job; returns the function that stops listening. */
  subscribe(tenant: string, id: string, listener: JobListener): () => void;
  /** Every change to every job. */
  subscribeAll(listener: JobListener): () => void;
  /**
   * A job was queued (created, retried, released or recovered), here or in
   * another process: a hint for workers to look for work. Cheaper than
   * {@link subscribeAll} across processes, as no job needs to be read.
   */
  subscribeQueued(listener: QueuedListener): () => void;
  close(): Promise<void>;
}

export function jobKey(tenant: string, id: string): string {
  return `${tenant}/${id}`;
}

/**
 * The in-process feed. Per-job listeners live in a map keyed by job, so
 * publishing costs the listeners of that job only, however many jobs are
 * watched. Versions only go up: a snapshot older than one already delivered
 * (two writers racing to publish) is dropped.
 */
export class LocalFeed implements ChangeFeed {
  readonly #byJob = new Map<string, Set<JobListener>>();
  readonly #all = new Set<JobListener>();
  readonly #queued = new Set<QueuedListener>();
  readonly #versions = new Map<string, number>();
  readonly #onError: (err: unknown) => void;

  constructor({ onError = () => {} }: { onError?: (err: unknown) => void } = {}) {
    this.#onError = onError;
  }

  get state(): FeedState {
    return 'local';
  }

  /** The number of per-job listeners (for /metrics and tests). */
  get listenerCount(): number {
    let n = this.#all.size;
    for (const set of this.#byJob.values()) n += set.size;
    return n;
  }

  publish(job: StoredJob): void {
    const key = jobKey(job.tenant, job.id);
    const listeners = this.#byJob.get(key);
    if (listeners) {
      const seen = this.#versions.get(key) ?? 0;
      if (job.version <= seen) return;
      this.#versions.set(key, job.version);
      for (const listener of [...listeners]) this.#call(listener, job);
    }
    for (const listener of [...this.#all]) this.#call(listener, job);
    if (job.status === 'queued') this.queued(job);
  }

  /** Tell the queued listeners (a cross-process feed calls this for other processes' jobs too). */
  queued(job: { tenant: string; id: string; type: string }): void {
    for (const listener of [...this.#queued]) {
      try {
        listener(job);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  subscribeQueued(listener: QueuedListener): () => void {
    this.#queued.add(listener);
    return () => this.#queued.delete(listener);
  }

  subscribe(tenant: string, id: string, listener: JobListener): () => void {
    const key = jobKey(tenant, id);
    let set = this.#byJob.get(key);
    if (!set) {
      set = new Set();
      this.#byJob.set(key, set);
    }
    set.add(listener);
    return () => {
      const current = this.#byJob.get(key);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.#byJob.delete(key);
        this.#versions.delete(key);
      }
    };
  }

  subscribeAll(listener: JobListener): () => void {
    this.#all.add(listener);
    return () => this.#all.delete(listener);
  }

  async close(): Promise<void> {
    this.#byJob.clear();
    this.#all.clear();
    this.#queued.clear();
    this.#versions.clear();
  }

  #call(listener: JobListener, job: StoredJob): void {
    try {
      listener(job);
    } catch (err) {
      this.#onError(err);
    }
  }
}
