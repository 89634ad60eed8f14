import { isRetryable } from './core.js';
import type { APIError } from './errors/api-error.js';
import { APIUserAbortError } from './errors/api-user-abort-error.js';
import { WaitTimeoutError } from './errors/wait-timeout-error.js';
import { retryAfterMs, retryDelayMs } from './internal/retry-after.js';
import { sleep } from './internal/sleep.js';

/** What a status reply says about when to ask again. */
export interface PollHint {
  /** Ask again after this many ms (`Poll-After-Ms`, `Retry-After`). */
  afterMs?: number | undefined;
  /** When the job expects to finish: ISO-8601, epoch ms or a Date. */
  eta?: string | number | Date | null | undefined;
}

export interface PollContext {
  signal: AbortSignal;
  /** Epoch ms at which the poll gives up; pass it on so retries stop there too. */
  deadline: number;
  /** 0 for the first request. */
  attempt: number;
}

export interface PollOptions<T> {
  /** Ask for the status once. Throw an `APIError` (or a connection error) for a failed request. */
  fetchStatus: (context: PollContext) => Promise<T>;
  /** True when `value` is final. Throw (e.g. `UnknownStatusError`) when it cannot be judged. */
  isDone: (value: T) => boolean;
  /**
   * The server's hint in `value`, if any.
   * @default () => undefined
   */
  hint?: ((value: T) => PollHint | undefined) | undefined;
  /**
   * A value already in hand (e.g. from the reply that created the job): the first
   * request then waits for its hint instead of going out at once.
   * @default undefined
   */
  initial?: T | undefined;
  /** Called with every value fetched, final or not. @default undefined */
  onValue?: ((value: T) => void) | undefined;
  /**
   * Give up with `WaitTimeoutError` after this many ms (one last check is made at the deadline).
   * @default Infinity
   */
  timeoutMs?: number | undefined;
  /** Stops the poll at once with `APIUserAbortError`. @default undefined */
  signal?: AbortSignal | undefined;
  /**
   * The shortest sleep between requests without a hint, in ms.
   * @default 100
   */
  minIntervalMs?: number | undefined;
  /**
   * The longest sleep between requests, in ms.
   * @default 30_000
   */
  maxIntervalMs?: number | undefined;
  /**
   * Without hints, sleep this share of the time waited so far: the lag after the end stays about this share of the wait.
   * @default 0.1
   */
  lagFraction?: number | undefined;
  /**
   * Random spread of unhinted sleeps, as a share of the sleep (half above, half below).
   * @default 0.2
   */
  jitter?: number | undefined;
  /**
   * Which errors of `fetchStatus` mean "try again" rather than "stop".
   * @default 408, 409, 429, 5xx and connection errors
   */
  retryable?: ((err: unknown) => boolean) | undefined;
  /** @default Math.random */
  random?: (() => number) | undefined;
}

/**
 * A job can end before its eta (it fails, it is canceled): a sleep aimed at an
 * eta is no longer than the time already waited, nor shorter than this, so an
 * early end is heard within about the time waited, at a few requests more.
 */
const EARLY_END_FLOOR_MS = 2000;
/** A hint's sleep is never shortened; it is lengthened by at most this much, so a poll aimed at an eta lands after it. */
const HINT_MARGIN_MAX_MS = 100;
/** How long the last check, made at the deadline, may take. */
const FINAL_CHECK_MS = 1000;

/**
 * Poll any status API until `isDone`, as cheaply as the hints allow: follow
 * `Poll-After-Ms` / `Retry-After` / `eta` when the server gives them (an eta
 * no further ahead than the time already waited, at least 2 s), else sleep
 * a growing share of the time already waited (with jitter). It never sleeps
 * past the deadline and makes one last check there; transient errors are
 * retried with backoff until the deadline.
 */
export async function poll<T>({
  fetchStatus,
  isDone,
  hint = () => undefined,
  initial,
  onValue,
  timeoutMs = Number.POSITIVE_INFINITY,
  signal,
  minIntervalMs = 100,
  maxIntervalMs = 30_000,
  lagFraction = 0.1,
  jitter = 0.2,
  retryable = isRetryable,
  random = Math.random,
}: PollOptions<T>): Promise<T> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  let last: T | undefined;
  let failures = 0;
  // Set once a sleep was cut short by the deadline: the request after it is the last.
  let final = timeoutMs <= 0;
  const pause = async (delay: number) => {
    const left = deadline - Date.now();
    if (delay >= left) {
      delay = Math.max(0, left);
      final = true;
    }
    await sleep(delay, signal);
  };
  if (initial !== undefined) {
    last = initial;
    if (isDone(initial)) return initial;
    await pause(nextDelay(hint(initial), 0, { minIntervalMs, maxIntervalMs, lagFraction, jitter, random }));
  }
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
    let delay: number;
    try {
      const value = await fetchStatus({
        signal: signal ?? new AbortController().signal,
        // The last check may take its time to answer; it is not cut off at the deadline itself.
        deadline: final ? deadline + FINAL_CHECK_MS : deadline,
        attempt,
      });
      failures = 0;
      last = value;
      onValue?.(value);
      if (isDone(value)) return value;
      if (final) throw new WaitTimeoutError(timeoutMs, last);
      delay = nextDelay(hint(value), Date.now() - start, {
        minIntervalMs,
        maxIntervalMs,
        lagFraction,
        jitter,
        random,
      });
    } catch (err) {
      if (err instanceof WaitTimeoutError || err instanceof APIUserAbortError) throw err;
      if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
      if (!retryable(err)) throw err;
      if (final) throw new WaitTimeoutError(timeoutMs, last, { cause: err });
      delay = Math.min(maxIntervalMs, retryDelayMs(failures++, (err as APIError).headers, random));
    }
    await pause(delay);
  }
}

export function nextDelay(
  hint: PollHint | undefined,
  waitedMs: number,
  o: {
    minIntervalMs: number;
    maxIntervalMs: number;
    lagFraction: number;
    jitter: number;
    random: () => number;
  },
): number {
  let hinted = hint?.afterMs;
  if (hinted === undefined && hint?.eta != null) {
    const eta =
      hint.eta instanceof Date
        ? hint.eta.getTime()
        : typeof hint.eta === 'number'
          ? hint.eta
          : Date.parse(hint.eta);
    const left = eta - Date.now();
    if (Number.isFinite(left) && left > 0) hinted = Math.min(left, Math.max(EARLY_END_FLOOR_MS, waitedMs));
  }
  if (hinted !== undefined && Number.isFinite(hinted) && hinted >= 0) {
    // A job's end is written a little after its eta: aim 2-4% past the hint so that one request finds it.
    const margin = Math.min(hinted * (0.02 + 0.02 * o.random()), HINT_MARGIN_MAX_MS);
    return Math.min(o.maxIntervalMs, hinted + margin);
  }
  const base = Math.min(o.maxIntervalMs, Math.max(o.minIntervalMs, waitedMs * o.lagFraction));
  return Math.max(o.minIntervalMs / 2, base * (1 - o.jitter / 2 + o.jitter * o.random()));
}

/** The hint in a reply's headers (`Poll-After-Ms`, `Retry-After`). */
export function hintFromHeaders(headers: Headers, eta?: PollHint['eta']): PollHint {
  return { afterMs: retryAfterMs(headers), eta };
}
