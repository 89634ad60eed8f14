import { randomUUID } from 'node:crypto';
import { JOB_ERRORS } from '../errors.js';
import { type JobError, type JsonObject, LOG_TAIL, publicJob, type StoredJob } from '../jobs/model.js';
import { canTransition, isTerminal, type JobStatus, sourcesOf } from '../jobs/states.js';
import type {
  DeliveryAttempt,
  DeliveryStatus,
  WebhookDelivery,
  WebhookEvent,
  WebhookSpec,
} from '../webhooks/events.js';
import type { FinishOptions, ProgressPatch } from './store.js';

/**
 * Store logic that does not depend on the backend, so every store decides
 * alike: the row both stores keep, and, for each transition, the change it
 * makes to that row. A store reads the row, asks here what the change is, and
 * writes it in one place ({@link nextRow} checks it against the transition table).
 */

/** A single log line is cut at this many characters. */
export const MAX_LOG_LINE = 2000;
/** How long an Idempotency-Key keeps pointing at its job. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A job as both stores keep it: times in Unix ms, JSON columns as JSON text. */
export interface JobRow {
  seq: number;
  tenant: string;
  id: string;
  type: string;
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

/** What a transition does to a row: the changed columns and the log lines it adds. */
export interface RowChange {
  change: Partial<JobRow>;
  lines: readonly string[];
}

/** A row after a change, with the new log lines numbered; not yet written. */
export interface NextRow {
  next: JobRow;
  /** Log lines to append to the job's full log, numbered from the row's `log_count + 1`. */
  logs: { n: number; line: string }[];
}

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

/**
 * Free text as every backend can keep it: NUL becomes U+FFFD (PostgreSQL
 * text cannot hold NUL; SQLite could, but both stores must answer alike).
 */
export function cleanText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

function cleanNullable(text: string | null | undefined): string | null | undefined {
  return typeof text === 'string' ? cleanText(text) : text;
}

export function cleanLogLines(lines: readonly string[]): string[] {
  return lines.map((raw) => {
    const line = cleanText(raw);
    return line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE - 1)}…` : line;
  });
}

/** The newest {@link LOG_TAIL} lines after appending `lines` to `tail`. */
export function appendTail(tail: readonly string[], lines: readonly string[]): string[] {
  const all = tail.concat(lines);
  return all.length > LOG_TAIL ? all.slice(all.length - LOG_TAIL) : all;
}

/** Progress as the store keeps it: a whole number from 0 to 100. */
export function clampProgress(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, Math.round(p))) : 0;
}

/**
 * `row` with `change` applied at `now`: checked against the transition table,
 * the version left for the write to bump, log lines cleaned, numbered and
 * folded into the tail. Throws on a transition the table does not allow.
 */
export function nextRow(row: JobRow, { change, lines }: RowChange, now: number): NextRow {
  const next: JobRow = { ...row, ...change, updated_at: now };
  if (next.status !== row.status && !canTransition(row.status, next.status)) {
    throw new Error(
      `job ${row.tenant}/${row.id}: ${row.status} -> ${next.status} is not an allowed transition`,
    );
  }
  const clean = cleanLogLines(lines);
  if (clean.length > 0) {
    next.log_count = row.log_count + clean.length;
    next.logs_tail = JSON.stringify(appendTail(JSON.parse(row.logs_tail) as string[], clean));
  }
  return { next, logs: clean.map((line, i) => ({ n: row.log_count + i + 1, line })) };
}

/** Progress, stage, message and eta from the lease holder; progress never goes down. */
export function patchChange(row: JobRow, patch: ProgressPatch): Partial<JobRow> {
  const change: Partial<JobRow> = {};
  if (patch.progress !== undefined) change.progress = Math.max(row.progress, clampProgress(patch.progress));
  if (patch.stage !== undefined) change.stage = cleanNullable(patch.stage) ?? null;
  if (patch.message !== undefined) change.message = cleanNullable(patch.message) ?? null;
  if (patch.eta !== undefined) change.eta = patch.eta;
  return change;
}

export function reportChange(row: JobRow, patch: ProgressPatch): RowChange {
  return { change: patchChange(row, patch), lines: patch.logs ?? [] };
}

const RELEASED = { lease_owner: null, lease_token: null, lease_expires_at: null } as const;

/** A queued job taken by a worker under a new lease. */
export function claimChange(
  row: JobRow,
  { owner, token, leaseMs, now }: { owner: string; token: string; leaseMs: number; now: number },
): RowChange {
  const attempt = row.attempt + 1;
  return {
    change: {
      status: 'running',
      attempt,
      progress: 0,
      started_at: now,
      finished_at: null,
      lease_owner: owner,
      lease_token: token,
      lease_expires_at: now + leaseMs,
    },
    lines: [`attempt ${attempt} of ${row.max_attempts} started`],
  };
}

/** The lease holder's outcome: completed, failed for good, or queued again for a retry. */
export function finishChange(
  row: JobRow,
  outcome: 'completed' | 'failed',
  { report = {}, output = null, error = null, retryAt, now }: FinishOptions & { now: number },
): RowChange {
  const released = { ...patchChange(row, report), ...RELEASED };
  const lines = report.logs ?? [];
  if (outcome === 'completed') {
    return {
      change: {
        ...released,
        status: 'completed',
        progress: 100,
        output: JSON.stringify(output ?? {}),
        error_code: null,
        error_message: null,
        eta: null,
        finished_at: now,
      },
      lines: [...lines, `attempt ${row.attempt} completed`],
    };
  }
  const given: JobError = error ?? { code: 'processor_error', message: 'The job failed.' };
  const err: JobError = { code: cleanText(given.code), message: cleanText(given.message) };
  if (retryAt !== undefined && row.attempt < row.max_attempts) {
    const wait = Math.max(0, retryAt - now);
    return {
      change: {
        ...released,
        status: 'queued',
        progress: 0,
        eta: null,
        run_at: retryAt,
        message: `Retrying after: ${err.message}`,
      },
      lines: [
        ...lines,
        `attempt ${row.attempt} failed (${err.code}: ${err.message}); retrying in ${(wait / 1000).toFixed(1)} s`,
      ],
    };
  }
  return {
    change: {
      ...released,
      status: 'failed',
      error_code: err.code,
      error_message: err.message,
      eta: null,
      finished_at: now,
    },
    lines: [...lines, `attempt ${row.attempt} failed (${err.code}: ${err.message})`],
  };
}

/** A running job given back by a worker that shuts down; the attempt does not count. */
export function releaseChange(row: JobRow, now: number): RowChange {
  return {
    change: {
      ...RELEASED,
      status: 'queued',
      attempt: Math.max(0, row.attempt - 1),
      progress: 0,
      eta: null,
      run_at: now,
      message: 'Released by a worker that shut down; queued again',
    },
    lines: [`attempt ${row.attempt} released by a worker that shut down`],
  };
}

export function cancelChange(row: JobRow, now: number): RowChange {
  return {
    change: { ...RELEASED, status: 'canceled', eta: null, finished_at: now, message: 'Canceled' },
    lines: [`canceled while ${row.status}`],
  };
}

/** What cancel does with a job in this state, before any write. */
export function cancelDecision(row: JobRow): 'cancel' | 'already_canceled' | 'finished' {
  if (row.status === 'canceled') return 'already_canceled';
  return sourcesOf('canceled').includes(row.status) ? 'cancel' : 'finished';
}

/** What becomes of a running job whose worker vanished: another try, or the end. */
export function lostLeaseOutcome(
  attempt: number,
  maxAttempts: number,
): { status: 'queued'; error: null; line: string } | { status: 'failed'; error: JobError; line: string } {
  if (attempt < maxAttempts) {
    return { status: 'queued', error: null, line: `attempt ${attempt} lost its worker; queued again` };
  }
  return {
    status: 'failed',
    error: {
      code: 'attempts_exhausted',
      message: `The worker running attempt ${attempt} of ${maxAttempts} stopped responding. ${JOB_ERRORS.attempts_exhausted}`,
    },
    line: `attempt ${attempt} of ${maxAttempts} lost its worker; no attempts left`,
  };
}

/** A running job whose lease expired (or whose holder is known dead). */
export function lostLeaseChange(row: JobRow, now: number): RowChange {
  const next = lostLeaseOutcome(row.attempt, row.max_attempts);
  return {
    change: {
      ...RELEASED,
      status: next.status,
      progress: next.status === 'queued' ? 0 : row.progress,
      error_code: next.error?.code ?? null,
      error_message: next.error?.message ?? null,
      eta: null,
      run_at: now,
      finished_at: next.status === 'failed' ? now : null,
      message: next.line,
    },
    lines: [next.line],
  };
}

/**
 * A job found under the same Idempotency-Key: within the window, the same
 * request replays it and another request conflicts; past it, the key is free.
 */
export function idempotencyDecision(
  prior: Pick<JobRow, 'created_at' | 'request_hash'>,
  hash: string,
  now: number,
): 'replayed' | 'idempotency_conflict' | 'expired' {
  if (prior.created_at <= now - IDEMPOTENCY_WINDOW_MS) return 'expired';
  return prior.request_hash === hash ? 'replayed' : 'idempotency_conflict';
}

/** A terminal job that may be deleted. */
export function isDeletable(row: Pick<JobRow, 'status' | 'finished_at'>): boolean {
  return row.finished_at !== null && isTerminal(row.status);
}

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
    queue_position: queuePosition,
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
    run_at: row.run_at,
    lease_owner: row.lease_owner,
    lease_expires_at: row.lease_expires_at,
    webhook: row.webhook === null ? null : (JSON.parse(row.webhook) as WebhookSpec),
  };
}

// ---- webhook outbox ---------------------------------------------------------------------------

/** How many attempts a delivery keeps in its history (the newest). */
export const DELIVERY_HISTORY = 20;

/** A new `webhook-id`. */
export function newDeliveryId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The events a change from `row` to `next` announces to the job's webhook, if it asks for them. */
export function webhookEventsOf(row: JobRow, next: JobRow): WebhookEvent[] {
  if (next.webhook === null) return [];
  const wanted = (JSON.parse(next.webhook) as WebhookSpec).events;
  const events: WebhookEvent[] = [];
  if (next.status !== row.status) {
    if (next.status === 'running') events.push('job.started');
    else if (next.status === 'completed') events.push('job.completed');
    else if (next.status === 'failed') events.push('job.failed');
    else if (next.status === 'canceled') events.push('job.canceled');
  } else if (next.status === 'running' && next.progress !== row.progress) {
    events.push('job.progress');
  }
  return events.filter((e) => wanted.includes(e));
}

/** The webhook URL of a row that has one. */
export function webhookUrl(row: Pick<JobRow, 'webhook'>): string {
  return (JSON.parse(row.webhook!) as WebhookSpec).url;
}

/** The row a change writes, as the delivery keeps it: the version it gets, no lease. */
export function snapshotOf(next: JobRow): string {
  const { lease_token: _t, lease_owner: _o, lease_expires_at: _e, ...rest } = next;
  return JSON.stringify({ ...rest, version: next.version + 1 });
}

/**
 * A job snapshot back from the outbox. Written by JS it holds JSON columns as
 * text; written by SQL (`row_to_json`) as nested JSON: both read alike.
 */
function snapshotJob(text: string): StoredJob {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const col of ['input', 'output', 'logs_tail', 'metadata', 'webhook']) {
    const v = raw[col];
    if (v !== null && v !== undefined && typeof v !== 'string') raw[col] = JSON.stringify(v);
  }
  return toJob({ lease_owner: null, lease_token: null, lease_expires_at: null, ...raw } as JobRow, null);
}

/** A delivery as both stores keep it, with its job's tenant and id. */
export interface DeliveryRow {
  id: string;
  job_seq: number;
  tenant: string;
  job_id: string;
  event: string;
  url: string;
  job: string;
  created_at: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  history: string;
  lease_token: string | null;
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    tenant: row.tenant,
    job_id: row.job_id,
    event: row.event as WebhookEvent,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    created_at: row.created_at,
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at : null,
    last_status: row.last_status,
    last_error: row.last_error,
    history: JSON.parse(row.history) as DeliveryAttempt[],
    job: publicJob(snapshotJob(row.job)),
  };
}

/** The history with `attempt` added, keeping the newest {@link DELIVERY_HISTORY}. */
export function appendHistory(history: string, attempt: DeliveryAttempt): string {
  const all = (JSON.parse(history) as DeliveryAttempt[]).concat(attempt);
  return JSON.stringify(all.slice(-DELIVERY_HISTORY));
}

/** An error text as a delivery keeps it. */
export function deliveryError(error: string | null): string | null {
  return error === null ? null : cleanText(error).slice(0, 500);
}
