import type { JobRow } from './job-row.js';
import type { NewJob } from './store.js';

/** The JSON texts an insert of a job writes; `input` may be left out of the row (null) when long. */
export interface InsertedTexts {
  input: string | null;
  /**
   * The input's UTF-8 length, where a store measures it (SQLite, to decide whether the row keeps
   * the input); a pass over every byte, so not measured where nothing reads it.
   */
  inputBytes?: number;
  metadata: string;
  webhook: string | null;
}

/** The JSON texts an insert of `job` writes, made once for the statement and the row made of it. */
export function insertTexts(job: NewJob): InsertedTexts & { input: string } {
  return {
    input: job.inputJson ?? JSON.stringify(job.input),
    metadata: JSON.stringify(job.metadata),
    webhook: job.webhook ? JSON.stringify(job.webhook) : null,
  };
}

/**
 * The row an insert of `job` wrote, as a read of it would give it, made from
 * what the insert sent rather than read back: the insert returns its seq
 * alone (a row of 30 columns costs more to send, parse and make into an
 * object than to make here).
 */
export function insertedRow(job: NewJob, seq: number, now: number, texts: InsertedTexts): JobRow {
  return {
    seq,
    tenant: job.tenant,
    id: job.id,
    type: job.type,
    queue: job.queue,
    priority: job.priority,
    status: 'queued',
    progress: 0,
    stage: null,
    message: null,
    error_code: null,
    error_message: null,
    attempt: 0,
    max_attempts: job.max_attempts,
    eta: null,
    created_at: now,
    started_at: null,
    updated_at: now,
    finished_at: null,
    version: 1,
    logs_tail: '[]',
    logs_tail_ts: '[]',
    log_count: 0,
    metadata: texts.metadata,
    run_at: job.runAt ?? now,
    lease_owner: null,
    lease_token: null,
    lease_expires_at: null,
    idempotency_key: job.idempotency?.key ?? null,
    request_hash: job.idempotency?.hash ?? null,
    webhook: texts.webhook,
    input: texts.input,
    input_bytes: texts.inputBytes ?? null,
    output: null,
  };
}
