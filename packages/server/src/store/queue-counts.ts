import type { QueueCounts } from './store.js';

/** A row of a store's per-queue count query (PostgreSQL gives counts as text). */
export interface QueueCountsRow {
  queue: string;
  queued: number | string | null;
  scheduled: number | string | null;
  running: number | string | null;
  oldest_due_at: number | string | null;
  finished_last_minute: number | string | null;
}

export function queueCountsOf(row: QueueCountsRow): QueueCounts {
  return {
    queue: row.queue,
    queued: Number(row.queued ?? 0),
    scheduled: Number(row.scheduled ?? 0),
    running: Number(row.running ?? 0),
    oldestDueAt: row.oldest_due_at === null ? null : Number(row.oldest_due_at),
    finishedLastMinute: Number(row.finished_last_minute ?? 0),
  };
}
