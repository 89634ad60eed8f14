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
  /** Null only in a list read that left it out (see {@link listColumns}). */
  input: string | null;
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
  /** The newest log lines (`LOG_TAIL` of them), a JSON array of strings. */
  logs_tail: string;
  /**
   * The times (Unix ms) of the tail's lines, a JSON array beside `logs_tail`.
   * The log table holds only the lines that have left the tail, so a job of
   * few lines writes none there. Null for a job written before the tail kept
   * its times: all its lines are in the log table.
   */
  logs_tail_ts: string | null;
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
  /**
   * Set by list reads only: the length of the input's JSON, whose text is then
   * null when longer than {@link LIST_FIELD_MAX_BYTES} (see {@link listColumns}).
   */
  input_bytes?: number | null;
  /** As `input_bytes`, for the output. */
  output_bytes?: number | null;
}

/**
 * In a list, an input or output whose JSON is longer than this many bytes is
 * left out: the store does not even read it (a page of 200 jobs with 1 MiB
 * inputs would be 200 MiB to read, parse and write), and the item carries
 * {@link omittedField} instead. GET /v1/jobs/{id} has the whole job.
 */
export const LIST_FIELD_MAX_BYTES = 8 * 1024;

/** What a list item shows in place of an input or output of `bytes` bytes it left out. */
export function omittedField(bytes: number): JsonObject {
  return { $omitted: bytes };
}

/** Every column but the two a list may leave out; an object so that a column added to JobRow must be added here. */
const OTHER_COLUMNS: Record<
  Exclude<keyof JobRow, 'input' | 'output' | 'input_bytes' | 'output_bytes'>,
  true
> = {
  seq: true,
  tenant: true,
  id: true,
  type: true,
  queue: true,
  priority: true,
  status: true,
  progress: true,
  stage: true,
  message: true,
  error_code: true,
  error_message: true,
  attempt: true,
  max_attempts: true,
  eta: true,
  created_at: true,
  started_at: true,
  updated_at: true,
  finished_at: true,
  version: true,
  logs_tail: true,
  logs_tail_ts: true,
  log_count: true,
  metadata: true,
  run_at: true,
  lease_owner: true,
  lease_token: true,
  lease_expires_at: true,
  idempotency_key: true,
  request_hash: true,
  webhook: true,
};

/** The select list of `alias`'s columns, with the `capped` ones read only when short. */
function cappedColumns(
  alias: string,
  bytes: (column: string) => string,
  capped: readonly ('input' | 'output')[],
): string {
  const col = (name: string) => `${alias}.${name}`;
  const field = (name: 'input' | 'output') =>
    capped.includes(name)
      ? `CASE WHEN ${bytes(col(name))} <= ${LIST_FIELD_MAX_BYTES} THEN ${col(name)} END AS ${name}, ` +
        `${bytes(col(name))} AS ${name}_bytes`
      : col(name);
  return [...Object.keys(OTHER_COLUMNS).map(col), field('input'), field('output')].join(', ');
}

/**
 * The select list of a list read of table alias `alias`: every column, with
 * input and output read only when short. `bytes` is the backend's byte length
 * of a column's JSON text (SQLite `octet_length(x)`, which reads the length from
 * the record header without loading the text; PostgreSQL `octet_length(x::text)`).
 */
export function listColumns(alias: string, bytes: (column: string) => string): string {
  return cappedColumns(alias, bytes, ['input', 'output']);
}

/**
 * The select list of a read of whole jobs, for a backend that reads
 * synchronously (SQLite): as a list's, but with the output whole. A job's
 * input never changes, so a long one is read once by seq and kept while
 * anything holds it ({@link InputMemo}): a state change of a job with a
 * megabyte input then neither reads nor copies that megabyte.
 */
export function jobColumns(alias: string, bytes: (column: string) => string): string {
  return cappedColumns(alias, bytes, ['input']);
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
  'logs_tail_ts',
  'log_count',
  'run_at',
  'lease_owner',
  'lease_token',
  'lease_expires_at',
] as const satisfies readonly (keyof JobRow)[];

/**
 * The job as the service sees it. `input` is the parsed input, when the
 * caller has it (a long one the row left out); otherwise the row's is parsed,
 * or shown as left out.
 */
export function toJob(row: JobRow, queuePosition: number | null, input?: JsonObject): StoredJob {
  const error: JobError | null =
    row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' };
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    message: row.message,
    input:
      input ??
      (row.input === null ? omittedField(Number(row.input_bytes)) : (JSON.parse(row.input) as JsonObject)),
    output:
      row.output !== null
        ? (JSON.parse(row.output) as JsonObject)
        : row.output_bytes == null
          ? null
          : omittedField(Number(row.output_bytes)),
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
    // A long input handed in is not in the row's text, but is held all the same.
    json_bytes:
      rowBytes(row) + (input !== undefined && row.input === null ? Number(row.input_bytes ?? 0) : 0),
  };
}

/** The length of a row's JSON and free-text columns: roughly what holding it (or its job) in memory costs. */
export function rowBytes(row: JobRow): number {
  return (
    (row.input?.length ?? 0) +
    (row.output?.length ?? 0) +
    row.metadata.length +
    row.logs_tail.length +
    (row.logs_tail_ts?.length ?? 0) +
    (row.message?.length ?? 0) +
    (row.stage?.length ?? 0) +
    (row.webhook?.length ?? 0)
  );
}

/** A time in ms as ISO-8601 UTC. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  if (ms === null) return null;
  for (let i = 0; i < ISO_KEPT; i++) if (isoMs[i] === ms) return isoText[i]!;
  const text = new Date(ms).toISOString();
  isoMs[isoNext] = ms;
  isoText[isoNext] = text;
  isoNext = (isoNext + 1) % ISO_KEPT;
  return text;
}
/**
 * The last few times formatted. The jobs of one batch or one claim share
 * their milliseconds (created, started, updated, finished), but a job's own
 * differ from each other, so one kept time would be replaced at every field.
 */
const ISO_KEPT = 4;
const isoMs = new Float64Array(ISO_KEPT).fill(Number.NaN);
const isoText: string[] = new Array<string>(ISO_KEPT).fill('');
let isoNext = 0;
