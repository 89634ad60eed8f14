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
 * The newest snapshot of recently read jobs, so that status reads (the
 * hottest route: every poller) need not touch the store. A job is taken in
 * when it is read, and from then on follows every change this process makes
 * to it; a job no one reads is never kept. (Kept on every change, each job
 * lived long enough to be copied into V8's old generation and collected
 * there: about 10 µs of server CPU a job in bulk, for jobs most of which are
 * never read.) Only correct when every change passes through this process,
 * which is why the service keeps it only for a single-process store. Queued
 * jobs are never kept: their queue position moves without a change of their
 * own. Bounded in bytes, not jobs: 10,000 jobs with 1 MiB inputs would be
 * gigabytes.
 */
export class JobCache {
  readonly #jobs: ByteBoundedMap<string, StoredJob>;
  /**
   * Goes up with every change and deletion heard. A read of the store begun
   * before one may have missed it, and when that job was not kept there is no
   * version to tell: such a read is not kept (see {@link fill}).
   */
  #epoch = 0;

  constructor({ maxBytes = 64 * 1024 * 1024, maxJobBytes = maxBytes / 64 }: JobCacheOptions = {}) {
    this.#jobs = new ByteBoundedMap({ maxBytes, maxEntryBytes: maxJobBytes });
  }

  /** The bytes held now, by {@link cachedJobBytes}. */
  get bytes(): number {
    return this.#jobs.bytes;
  }

  /** Taken before a read of the store, and given to {@link fill} with what it read. */
  get epoch(): number {
    return this.#epoch;
  }

  get(tenant: string, id: string): StoredJob | undefined {
    return this.#jobs.get(jobKey(tenant, id));
  }

  /**
   * Keep `job`, read from the store by a read begun at `epoch`, unless a
   * change or deletion was heard since: it may be newer than the read.
   */
  fill(job: StoredJob, epoch: number): void {
    if (epoch !== this.#epoch) return;
    const key = jobKey(job.tenant, job.id);
    this.#keep(key, job, this.#jobs.get(key));
  }

  /** A change this process made: a kept job takes it (a slow read's older snapshot never replaces a newer one). */
  changed(job: StoredJob): void {
    this.#epoch += 1;
    const key = jobKey(job.tenant, job.id);
    const current = this.#jobs.get(key);
    if (current) this.#keep(key, job, current);
  }

  delete(tenant: string, id: string): void {
    this.#epoch += 1;
    this.#jobs.delete(jobKey(tenant, id));
  }

  /** `job` under `key`, unless `current`, what is kept there now, is newer. */
  #keep(key: string, job: StoredJob, current: StoredJob | undefined): void {
    if (current && current.version > job.version) return;
    if (job.status === 'queued') this.#jobs.delete(key);
    else this.#jobs.set(key, job, cachedJobBytes(job));
  }
}
