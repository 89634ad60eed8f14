import type { JobError, JsonObject, StoredJob } from '../jobs/model.js';
import type { JobStatus } from '../jobs/states.js';
import type { WebhookSpec } from '../webhooks/spec.js';

/** A job as both stores keep it: times in Unix ms, JSON columns as JSON text. */
export interface JobRow {
  seq: number;
  tenant: string;
  id: string;
  type: string;
  queue: string;
  priority: number;
  status: JobStatus;
  progress: number;
  stage: string | null;
  message: string | null;
  input: string;
  output: string | null;
  error_code: string | null;
  error_message: string | null;
  attempt: number;
  max_attempts: number;
  eta: number | null;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
  version: number;
  logs_tail: string;
  log_count: number;
  metadata: string;
  run_at: number;
  lease_owner: string | null;
  lease_token: string | null;
  lease_expires_at: number | null;
  idempotency_key: string | null;
  request_hash: string | null;
  /** JSON text of a {@link WebhookSpec}, or null. */
  webhook: string | null;
}

/** The columns a state change may set (the rest are fixed at insert). */
export const MUTABLE_COLUMNS = [
  'status',
  'progress',
  'stage',
  'message',
  'output',
  'error_code',
  'error_message',
  'attempt',
  'eta',
  'started_at',
  'updated_at',
  'finished_at',
  'logs_tail',
  'log_count',
  'run_at',
  'lease_owner',
  'lease_token',
  'lease_expires_at',
] as const satisfies readonly (keyof JobRow)[];

/** The job as the service sees it. */
export function toJob(row: JobRow, queuePosition: number | null): StoredJob {
  const error: JobError | null =
    row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' };
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    input: JSON.parse(row.input) as JsonObject,
    output: row.output === null ? null : (JSON.parse(row.output) as JsonObject),
    error,
    attempt: row.attempt,
    max_attempts: row.max_attempts,
    queue: row.queue,
    priority: row.priority,
    queue_position: queuePosition,
    run_at: row.status === 'queued' ? iso(row.run_at) : null,
    eta: iso(row.eta),
    created_at: iso(row.created_at),
    started_at: iso(row.started_at),
    updated_at: iso(row.updated_at),
    finished_at: iso(row.finished_at),
    version: row.version,
    logs: JSON.parse(row.logs_tail) as string[],
    metadata: JSON.parse(row.metadata) as JsonObject,
    tenant: row.tenant,
    seq: row.seq,
    due_at: row.run_at,
    lease_owner: row.lease_owner,
    lease_expires_at: row.lease_expires_at,
    webhook: row.webhook === null ? null : (JSON.parse(row.webhook) as WebhookSpec),
  };
}

/** A time in ms as ISO-8601 UTC. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  if (ms === null) return null;
  // A job's timestamps are often the same millisecond (created and updated, updated and finished).
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
let lastIsoMs = Number.NaN;
let lastIso = '';
