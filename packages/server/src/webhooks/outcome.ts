import { jitter } from '../internal/backoff.js';
import type { DeliveryOutcome } from './model.js';

/** The longest a receiver's Retry-After can hold a delivery back. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * What an attempt's result means for the delivery: 2xx delivered; 410 gone
 * (no more to that URL for that job); otherwise a retry after the schedule's
 * next delay, jittered by ±20% so receivers coming back are not hit all at
 * once, or after the receiver's Retry-After on 429 and 503; failed once the
 * schedule is spent.
 */
export function outcomeOf({
  status,
  retryAfterMs,
  attempts,
  schedule,
  now,
  random,
}: {
  status: number | null;
  retryAfterMs: number | null;
  /** Attempts made, this one included. */
  attempts: number;
  schedule: readonly number[];
  now: number;
  /** @default Math.random */
  random?: () => number;
}): DeliveryOutcome {
  if (status !== null && status >= 200 && status < 300) return { outcome: 'delivered' };
  if (status === 410) return { outcome: 'gone' };
  const delay = schedule[attempts - 1];
  if (delay === undefined) return { outcome: 'failed' };
  if ((status === 429 || status === 503) && retryAfterMs !== null) {
    return { outcome: 'retry', nextAttemptAt: now + Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) };
  }
  return { outcome: 'retry', nextAttemptAt: now + jitter(delay, { from: 0.8, to: 1.2, random }) };
}
