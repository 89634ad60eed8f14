import { JOB_ERRORS } from '../errors.js';
import { type JobError, LOG_TAIL } from '../jobs/model.js';

/** Pieces of store logic that do not depend on the backend, so both stores decide alike. */

/** A single log line is cut at this many characters. */
export const MAX_LOG_LINE = 2000;
/** How long an Idempotency-Key keeps pointing at its job. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function cleanLogLines(lines: readonly string[]): string[] {
  return lines.map((line) => (line.length > MAX_LOG_LINE ? `${line.slice(0, MAX_LOG_LINE - 1)}…` : line));
}

/** The newest {@link LOG_TAIL} lines after appending `lines` to `tail`. */
export function appendTail(tail: readonly string[], lines: readonly string[]): string[] {
  const all = tail.concat(lines);
  return all.length > LOG_TAIL ? all.slice(all.length - LOG_TAIL) : all;
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

/** Progress as the store keeps it: a whole number from 0 to 100. */
export function clampProgress(p: number): number {
  return Number.isFinite(p) ? Math.min(100, Math.max(0, Math.round(p))) : 0;
}
