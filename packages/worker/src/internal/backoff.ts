import { retryAfterMs as serverHintMs } from '@longrun/client';

/** The longest `Retry-After` obeyed as it is; a longer one is cut to this. */
export const MAX_RETRY_AFTER_MS = 60_000;

export interface BackoffOptions {
  /** The first delay. @default 250 */
  baseMs?: number;
  /** The longest delay. @default 15_000 */
  maxMs?: number;
  /** A number in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The delay before retry number `retry` (0-based): doubling from `baseMs` up to
 * `maxMs`, the upper half of it at random ("equal jitter"), so that workers cut
 * off together do not come back together.
 */
export function backoffMs(
  retry: number,
  { baseMs = 250, maxMs = 15_000, random = Math.random }: BackoffOptions = {},
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry, 30));
  return ceiling / 2 + (ceiling / 2) * random();
}

/** The server's `Retry-After` in ms (as @longrun/client reads it), at most {@link MAX_RETRY_AFTER_MS}; undefined when absent or unusable. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = serverHintMs(headers, now);
  return ms === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, ms);
}
