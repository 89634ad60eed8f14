import { jobKey } from '../feed/change-feed.js';
import type { StoredJob } from './model.js';

/**
 * The newest snapshot of recently seen jobs, so that status reads (the
 * hottest route: every poller) need not touch the store. Only correct when
 * every change passes through this process, which is why the service keeps it
 * only for a single-process store. Queued jobs are never kept: their queue
 * position moves without a change of their own.
 */
export class JobCache {
  readonly #max: number;
  readonly #jobs = new Map<string, StoredJob>();

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(tenant: string, id: string): StoredJob | undefined {
    return this.#jobs.get(jobKey(tenant, id));
  }

  /** Keep `job` unless a newer version is already kept (a slow read must not undo a write). */
  put(job: StoredJob): void {
    const key = jobKey(job.tenant, job.id);
    const current = this.#jobs.get(key);
    if (current && current.version > job.version) return;
    this.#jobs.delete(key);
    if (job.status === 'queued') return;
    this.#jobs.set(key, job);
    if (this.#jobs.size > this.#max) this.#jobs.delete(this.#jobs.keys().next().value!);
  }

  delete(tenant: string, id: string): void {
    this.#jobs.delete(jobKey(tenant, id));
  }
}
