import { JOB_ERRORS } from '../errors.js';
import { type JobError, LOG_TAIL } from '../jobs/model.js';
import { canTransition, isTerminal, sourcesOf } from '../jobs/states.js';
import { cleanLogLines, cleanNullable, cleanText } from './clean-text.js';
import { iso, type JobRow } from './job-row.js';
import type { FinishOptions, LogLine, ProgressPatch } from './store.js';

/**
 * What each transition does to a job's row, decided here for every store
 * alike: a store reads the row, asks here what the change is, and writes it
 * in one place ({@link nextRow} checks it against the transition table).
 */

/** How long an Idempotency-Key keeps pointing at its job. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What a transition does to a row: the changed columns and the log lines it adds. */
export interface RowChange {
  change: Partial<JobRow>;
  lines: readonly string[];
}

/** A log line as the log table keeps it: its number in the job's log, its time (Unix ms) and text. */
export interface LogEntry {
  n: number;
  ts: number;
  line: string;
}

/** A row after a change, with the log lines it puts in the log table; not yet written. */
export interface NextRow {
  next: JobRow;
  /**
   * Log lines for the job's log table: those that left the tail with this
   * change (the oldest first), or, for a row whose tail keeps no times, every
   * new line (numbered from the row's `log_count + 1`).
   */
  logs: LogEntry[];
}

/** The newest {@link LOG_TAIL} entries after appending `added` to `tail`. */
export function appendTail<T>(tail: readonly T[], added: readonly T[]): T[] {
  const all = tail.concat(added);
  return all.length > LOG_TAIL ? all.slice(all.length - LOG_TAIL) : all;
}

/**
 * {@link appendTail} on a tail's JSON text, for a job that has `count` log
 * lines in all. While none falls out (the tail holds at most `count` of them),
 * the new entries' JSON is joined onto the text as it is, which is neither read
 * nor written again: a job's first lines, the common case, cost no parse.
 */
export function appendTailJson(tail: string, count: number, added: readonly unknown[]): string {
  if (count + added.length <= LOG_TAIL) {
    if (tail === '[]') return JSON.stringify(added);
    if (tail.startsWith('[') && tail.endsWith(']') && !EMPTY_ARRAY.test(tail))
      return `${tail.slice(0, -1)},${JSON.stringify(added).slice(1)}`;
  }
  return JSON.stringify(appendTail(JSON.parse(tail) as unknown[], added));
}

/**
 * `lines`, written at `now`, folded into the tail of `row` (`logs_tail` and
 * its times): the new tail, and the lines that leave it for the log table.
 * While the tail has room (a job's first {@link LOG_TAIL} lines) nothing
 * leaves it, so the log table is written only for a job of many lines.
 */
function foldLines(
  row: JobRow,
  lines: readonly string[],
  now: number,
): Pick<JobRow, 'logs_tail' | 'logs_tail_ts'> & { spilled: LogEntry[] } {
  const count = row.log_count;
  if (row.logs_tail_ts === null) {
    // Written before the tail kept times: every line goes to the log table, as it always did.
    return {
      logs_tail: appendTailJson(row.logs_tail, count, lines),
      logs_tail_ts: null,
      spilled: lines.map((line, i) => ({ n: count + i + 1, ts: now, line })),
    };
  }
  const times = lines.map(() => now);
  if (count + lines.length <= LOG_TAIL) {
    return {
      logs_tail: appendTailJson(row.logs_tail, count, lines),
      logs_tail_ts: appendTailJson(row.logs_tail_ts, count, times),
      spilled: [],
    };
  }
  const allLines = (JSON.parse(row.logs_tail) as string[]).concat(lines);
  const allTimes = (JSON.parse(row.logs_tail_ts) as number[]).concat(times);
  // The tail holds the job's newest lines: the first of them is number count - (tail's length) + 1.
  const first = count + lines.length - allLines.length + 1;
  const cut = allLines.length - LOG_TAIL;
  return {
    logs_tail: JSON.stringify(allLines.slice(cut)),
    logs_tail_ts: JSON.stringify(allTimes.slice(cut)),
    spilled: allLines.slice(0, cut).map((line, i) => ({ n: first + i, ts: Number(allTimes[i]), line })),
  };
}

/**
 * A job's log lines after `after` (at most `limit`), from the lines its log
 * table gave (`stored`: those after `after`, in order, at most `limit`) and
 * its tail: the log table holds the lines that left the tail, the tail the
 * rest. A row whose tail keeps no times has all its lines in the table.
 */
export function logLines(
  row: Pick<JobRow, 'logs_tail' | 'logs_tail_ts' | 'log_count'>,
  stored: readonly LogEntry[],
  after: number,
  limit: number,
): LogEntry[] {
  if (row.logs_tail_ts === null || stored.length >= limit) return [...stored];
  const tail = JSON.parse(row.logs_tail) as string[];
  const times = JSON.parse(row.logs_tail_ts) as number[];
  const first = row.log_count - tail.length + 1;
  const from = Math.max(after, stored.at(-1)?.n ?? 0);
  const out = [...stored];
  for (let i = Math.max(0, from - first + 1); i < tail.length && out.length < limit; i++) {
    out.push({ n: first + i, ts: Number(times[i]), line: tail[i]! });
  }
  return out;
}

/** {@link logLines} as the API gives them: each line's number, time (ISO 8601) and text. */
export function logPage(
  row: Pick<JobRow, 'logs_tail' | 'logs_tail_ts' | 'log_count'>,
  stored: readonly LogEntry[],
  after: number,
  limit: number,
): LogLine[] {
  return logLines(row, stored, after, limit).map((l) => ({ seq: l.n, timestamp: iso(l.ts), line: l.line }));
}

const EMPTY_ARRAY = /^\[\s*\]$/;

/** Progress as the store keeps it: a whole number from 0 to 100. */
export function clampProgress(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, Math.round(p))) : 0;
}

/**
 * `row` with `change` applied at `now`: checked against the transition table,
 * the version left for the write to bump, log lines cleaned and folded into
 * the tail (those that leave it numbered for the log table). Throws on a
 * transition the table does not allow.
 */
export function nextRow(row: JobRow, { change, lines }: RowChange, now: number): NextRow {
  const next: JobRow = { ...row, ...change, updated_at: now };
  if (next.status !== row.status && !canTransition(row.status, next.status)) {
    throw new Error(
      `job ${row.tenant}/${row.id}: ${row.status} -> ${next.status} is not an allowed transition`,
    );
  }
  const clean = cleanLogLines(lines);
  if (clean.length === 0) return { next, logs: [] };
  const { logs_tail, logs_tail_ts, spilled } = foldLines(row, clean, now);
  next.log_count = row.log_count + clean.length;
  next.logs_tail = logs_tail;
  next.logs_tail_ts = logs_tail_ts;
  return { next, logs: spilled };
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

/**
 * `fields` over `base`, with the lease let go. Object.assign, not a spread
 * with properties after it: V8 defines each property that follows a spread
 * on a slow path, about half a microsecond apiece (5 µs a finish).
 */
function released(fields: Partial<JobRow>, base: Partial<JobRow> = {}): Partial<JobRow> {
  return Object.assign(base, RELEASED, fields);
}

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
  const patch = patchChange(row, report);
  const lines = report.logs ?? [];
  if (outcome === 'completed') {
    return {
      change: released(
        {
          status: 'completed',
          progress: 100,
          output: JSON.stringify(output ?? {}),
          error_code: null,
          error_message: null,
          eta: null,
          finished_at: now,
        },
        patch,
      ),
      lines: [...lines, `attempt ${row.attempt} completed`],
    };
  }
  const given: JobError = error ?? { code: 'processor_error', message: 'The job failed.' };
  const err: JobError = { code: cleanText(given.code), message: cleanText(given.message) };
  if (retryAt !== undefined && row.attempt < row.max_attempts) {
    const wait = Math.max(0, retryAt - now);
    return {
      change: released(
        {
          status: 'queued',
          progress: 0,
          eta: null,
          run_at: retryAt,
          message: `Retrying after: ${err.message}`,
        },
        patch,
      ),
      lines: [
        ...lines,
        `attempt ${row.attempt} failed (${err.code}: ${err.message}); retrying in ${(wait / 1000).toFixed(1)} s`,
      ],
    };
  }
  return {
    change: released(
      { status: 'failed', error_code: err.code, error_message: err.message, eta: null, finished_at: now },
      patch,
    ),
    lines: [...lines, `attempt ${row.attempt} failed (${err.code}: ${err.message})`],
  };
}

/** A running job given back by a worker that shuts down; the attempt does not count. */
export function releaseChange(row: JobRow, now: number): RowChange {
  return {
    change: released({
      status: 'queued',
      attempt: Math.max(0, row.attempt - 1),
      progress: 0,
      eta: null,
      run_at: now,
      message: 'Released by a worker that shut down; queued again',
    }),
    lines: [`attempt ${row.attempt} released by a worker that shut down`],
  };
}

export function cancelChange(row: JobRow, now: number): RowChange {
  return {
    change: released({ status: 'canceled', eta: null, finished_at: now, message: 'Canceled' }),
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
    change: released({
      status: next.status,
      progress: next.status === 'queued' ? 0 : row.progress,
      error_code: next.error?.code ?? null,
      error_message: next.error?.message ?? null,
      eta: null,
      // run_at is kept: a job whose worker died waits in its old place, not behind every job queued since.
      finished_at: next.status === 'failed' ? now : null,
      message: next.line,
    }),
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
