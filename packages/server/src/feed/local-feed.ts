import type { StoredJob } from '../jobs/model.js';
import {
  type ChangeFeed,
  type FeedState,
  type JobListener,
  jobKey,
  type QueuedJob,
  type QueuedListener,
} from './change-feed.js';

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
  queued(job: QueuedJob): void {
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
