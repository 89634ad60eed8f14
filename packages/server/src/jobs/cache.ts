import { jobKey } from '../feed/change-feed.js';
import { ByteBoundedMap } from '../internal/byte-bounded-map.js';
import type { StoredJob } from './model.js';

/** What a kept job costs besides its JSON fields: the object, its key, the map entry. */
const ENTRY_OVERHEAD = 1024;

/**
 * What keeping `job` costs, roughly: its JSON fields twice (parsed, and the
 * serialised JSON that serialize.ts memoises for as long as the snapshot lives)
 * plus a fixed overhead.
 */
export function cachedJobBytes(job: StoredJob): number {
  return 2 * job.json_bytes + ENTRY_OVERHEAD;
}

export interface JobCacheOptions {
  /**
   * The most the cache holds, by {@link cachedJobBytes}.
   * @default 64 MiB
   */
  maxBytes?: number;
  /**
   * A job costing more than this is not kept (its reads go to the store): a
   * few large jobs must not push out thousands of ordinary ones.
   * @default maxBytes / 64 (1 MiB)
   */
  maxJobBytes?: number;
}

/**
 * The newest snapshot of recently seen jobs, so that status reads (the
 * hottest route: every poller) need not touch the store. Only correct when
 * every change passes through this process, which is why the service keeps it
 * only for a single-process store. Queued jobs are never kept: their queue
 * position moves without a change of their own. Bounded in bytes, not jobs:
 * 10,000 jobs with 1 MiB inputs would be gigabytes.
 */
export class JobCache {
  readonly #jobs: ByteBoundedMap<string, StoredJob>;

  constructor({ maxBytes = 64 * 1024 * 1024, maxJobBytes = maxBytes / 64 }: JobCacheOptions = {}) {
    this.#jobs = new ByteBoundedMap({ maxBytes, maxEntryBytes: maxJobBytes });
  }

  /** The bytes held now, by {@link cachedJobBytes}. */
  get bytes(): number {
    return this.#jobs.bytes;
  }

  get(tenant: string, id: string): StoredJob | undefined {
    return this.#jobs.get(jobKey(tenant, id));
  }

  /** Keep `job` unless a newer version is already kept (a slow read must not undo a write). */
  put(job: StoredJob): void {
    const key = jobKey(job.tenant, job.id);
    const current = this.#jobs.get(key);
    if (current && current.version > job.version) return;
    if (job.status === 'queued') {
      this.#jobs.delete(key);
      return;
    }
    this.#jobs.set(key, job, cachedJobBytes(job));
  }

  delete(tenant: string, id: string): void {
    this.#jobs.delete(jobKey(tenant, id));
  }
}
