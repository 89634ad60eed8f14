import { backoff } from '../../internal/backoff.js';
import { sleep } from '../../internal/sleep.js';
import { TranslationError } from '../errors.js';
import { retryAfterMs } from './retry-after.js';

export interface RetryInfo {
  /** The retry about to be made: 1 for the first. */
  retry: number;
  delayMs: number;
  /** What went wrong with the attempt before. */
  reason: string;
}

/** How an HTTP backend calls its service. */
export interface HttpOptions {
  /**
   * Retries after the first attempt, for connection errors, timeouts, 408,
   * 429, 5xx and replies that cannot be used.
   * @default 2
   */
  maxRetries?: number;
  /** Each request must be answered, body and all, within this many ms (the server's translation timeout setting). */
  timeoutMs: number;
  /** The first retry's delay in ms; it doubles each retry, half of it random. @default 500 */
  retryBaseMs?: number;
  /** The longest delay between retries, in ms. @default 8000 */
  retryMaxMs?: number;
  /** The longest `Retry-After` waited for, in ms; asking for more ends the retries. @default 30000 */
  maxRetryAfterMs?: number;
  /** Told before each retry, e.g. to write it to a job's log. @default none */
  onRetry?: ((info: RetryInfo) => void) | undefined;
  /** The fetch to call. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A reply whose body cannot be used; thrown by a reader, it counts as a failed attempt. */
export class UnusableReply extends Error {
  override name = 'UnusableReply';
}

interface Failure {
  /** unavailable: could not get an answer; unusable: got one that cannot be used. */
  kind: 'unavailable' | 'unusable';
  reason: string;
  waitMs: number | null;
  cause?: unknown;
}

export interface JsonRequest<T> {
  /** The backend's name, for messages. */
  backend: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Turns the reply's JSON into the result; throws {@link UnusableReply} when it cannot. */
  read(json: unknown): T;
}

/**
 * One JSON request to a translation service, retried with jittered
 * exponential backoff (or the service's `Retry-After`) while it fails in a
 * way that waiting may mend, each attempt bounded by a timeout. Ends with
 * the result, or a {@link TranslationError}: `translation_backend_unavailable`
 * when no usable answer came, `translation_failed` when the service refused
 * (4xx) or kept answering what cannot be used. The caller's signal stops it
 * at once with the signal's reason.
 */
export async function requestJson<T>(
  { backend, url, method = 'POST', headers = {}, body, signal, read }: JsonRequest<T>,
  {
    maxRetries = 2,
    timeoutMs,
    retryBaseMs = 500,
    retryMaxMs = 8000,
    maxRetryAfterMs = 30_000,
    onRetry,
    fetch: fetchImpl = globalThis.fetch,
  }: HttpOptions,
): Promise<T> {
  const where = `${backend} at ${new URL(url).origin}`;
  let failure: Failure | undefined;
  let attempts = 0;
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    if (failure) {
      // a service that asks for a longer pause than allowed will not be ready in time: give up now
      if (failure.waitMs !== null && failure.waitMs > maxRetryAfterMs) {
        failure.reason += ` and asked to wait ${Math.ceil(failure.waitMs / 1000)} s`;
        break;
      }
      const delayMs = failure.waitMs ?? backoff(attempt - 1, { baseMs: retryBaseMs, maxMs: retryMaxMs });
      onRetry?.({ retry: attempt, delayMs, reason: failure.reason });
      await sleep(delayMs, signal);
    }
    signal?.throwIfAborted();
    attempts++;
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await fetchImpl(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: both,
      });
      const text = await res.text();
      if (res.ok) {
        const reply = readReply(text, read);
        if (reply.ok) return reply.value;
        failure = reply.failure;
      } else if (res.status === 408 || res.status === 429 || res.status >= 500) {
        failure = {
          kind: 'unavailable',
          reason: `answered ${res.status}${errorText(text)}`,
          waitMs: retryAfterMs(res.headers),
        };
      } else {
        throw new TranslationError(
          'translation_failed',
          `${where} refused the request with ${res.status}${errorText(text)}.`,
        );
      }
    } catch (err) {
      if (err instanceof TranslationError) throw err;
      if (signal?.aborted) throw signal.reason;
      failure = {
        kind: 'unavailable',
        reason: timeout.aborted
          ? `gave no answer within ${timeoutMs} ms`
          : `could not be reached (${describe(err)})`,
        waitMs: null,
        cause: err,
      };
    }
  }
  const last = failure!;
  const message = `${where} ${last.reason} (${attempts} attempt${attempts === 1 ? '' : 's'}).`;
  if (last.kind === 'unusable')
    throw new TranslationError('translation_failed', message, { cause: last.cause });
  throw new TranslationError('translation_backend_unavailable', message, {
    retryable: true,
    cause: last.cause,
  });
}

function readReply<T>(
  text: string,
  read: (json: unknown) => T,
): { ok: true; value: T } | { ok: false; failure: Failure } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      failure: {
        kind: 'unusable',
        reason: 'answered with a body that is not JSON',
        waitMs: null,
        cause: err,
      },
    };
  }
  try {
    return { ok: true, value: read(json) };
  } catch (err) {
    if (!(err instanceof UnusableReply)) throw err;
    return { ok: false, failure: { kind: 'unusable', reason: err.message, waitMs: null, cause: err } };
  }
}

/** The service's own words about an error, briefly: ": <message>", or '' when it said nothing. */
function errorText(text: string): string {
  let message: unknown = text;
  try {
    const json = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown };
    const error = json.error as { message?: unknown } | string | undefined;
    message = (typeof error === 'object' ? error?.message : error) ?? json.detail ?? json.message ?? text;
  } catch {
    // not JSON: the text as it is
  }
  const flat = String(message).replace(/\s+/g, ' ').trim().slice(0, 300);
  return flat ? `: ${flat}` : '';
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
