import type { StoredJob } from '../jobs/model.js';

export type JobListener = (job: StoredJob) => void;
/**
 * A job queued, here or elsewhere. `due_at` (ms) is given when it is known:
 * a notice from another process carries none.
 */
export interface QueuedJob {
  tenant: string;
  id: string;
  type: string;
  queue: string;
  due_at?: number;
}

export type QueuedListener = (job: QueuedJob) => void;

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
