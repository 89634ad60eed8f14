import { APIConnectionError } from './errors/api-connection-error.js';
import { APIConnectionTimeoutError } from './errors/api-connection-timeout-error.js';
import type { APIError } from './errors/api-error.js';
import { APIUserAbortError } from './errors/api-user-abort-error.js';
import { errorFromResponse } from './errors/generate.js';
import { LongrunError } from './errors/longrun-error.js';
import { type Logger, type LogLevel, levelled } from './internal/log.js';
import { retryDelayMs } from './internal/retry-after.js';
import { anySignal } from './internal/signals.js';
import { sleep } from './internal/sleep.js';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface CoreOptions {
  /** The server's address, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /**
   * The `fetch` to use: a counting or logging wrapper, undici's with a proxy agent, a test double.
   * @default globalThis.fetch
   */
  fetch?: Fetch | undefined;
  /**
   * How long one attempt of a request may take, in ms (a long-poll gets its hold time on top).
   * @default 60_000
   */
  timeoutMs?: number | undefined;
  /**
   * Retries of a request that failed with 408, 409, 429, a 5xx or a connection error.
   * @default 2
   */
  maxRetries?: number | undefined;
  /**
   * Where to write what the client does (retries, fallbacks); `console` fits.
   * @default undefined (nothing is written)
   */
  logger?: Logger | undefined;
  /**
   * The least severe message passed to `logger`.
   * @default 'warn'
   */
  logLevel?: LogLevel | undefined;
  /**
   * Headers sent with every request.
   * @default {}
   */
  headers?: Record<string, string> | undefined;
}

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | string[] | undefined> | undefined;
  headers?: Record<string, string | undefined> | undefined;
  /** JSON-encoded unless it is a string or URLSearchParams. */
  body?: unknown;
  /**
   * Sent as it is, instead of `body` (an upload). A stream is sent with
   * `duplex: 'half'` and never retried: its bytes cannot be sent twice.
   */
  rawBody?: Blob | Uint8Array | ReadableStream<Uint8Array> | undefined;
  signal?: AbortSignal | undefined;
  /** This attempt's timeout, in ms; the client's `timeoutMs` by default. */
  timeoutMs?: number | undefined;
  maxRetries?: number | undefined;
  /** Epoch ms past which no attempt starts and none runs on (a wait's deadline). */
  deadline?: number | undefined;
  /** The body is read as a stream after `request` returns: `signal` must keep reaching it. */
  stream?: boolean | undefined;
}

/**
 * 409 codes that sending the same request again cannot resolve, so they are not retried:
 * the codes the server's error registry marks `lasting` (a test holds the two equal).
 */
export const LASTING_CONFLICTS: ReadonlySet<string> = new Set([
  'job_exists',
  'idempotency_conflict',
  'job_not_cancelable',
  'job_not_terminal',
  'lease_lost',
  'job_type_taken',
]);

export function isRetryable(err: unknown): boolean {
  if (err instanceof APIUserAbortError) return false;
  if (err instanceof APIConnectionError) return true;
  const e = err as APIError;
  if (!(err instanceof LongrunError) || typeof e.status !== 'number') return false;
  const hint = e.headers?.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  if (e.status === 409) return !(e.code && LASTING_CONFLICTS.has(e.code));
  return e.status === 408 || e.status === 429 || e.status >= 500;
}

/**
 * The HTTP layer shared by the clients: URL building, timeouts, typed errors,
 * and retries with backoff. A body that is being streamed is never replayed:
 * `read` runs inside the attempt, so only what it reads whole is retried.
 */
export class HttpCore {
  readonly baseUrl: string;
  readonly fetch: Fetch;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly log: Logger;
  readonly #headers: Record<string, string>;

  constructor({
    baseUrl,
    fetch: fetchImpl,
    timeoutMs = 60_000,
    maxRetries = 2,
    logger,
    logLevel = 'warn',
    headers = {},
  }: CoreOptions) {
    if (typeof baseUrl !== 'string' || !/^https?:\/\//.test(baseUrl)) {
      throw new LongrunError(
        `baseUrl must be an http(s) URL such as http://127.0.0.1:8000; got ${String(baseUrl)}`,
      );
    }
    const f = fetchImpl ?? (globalThis.fetch as Fetch | undefined);
    if (!f) throw new LongrunError('No fetch available: pass options.fetch or use Node >= 20.');
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new LongrunError(`maxRetries must be an integer >= 0; got ${maxRetries}`);
    }
    if (!(timeoutMs > 0)) throw new LongrunError(`timeoutMs must be > 0; got ${timeoutMs}`);
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    // Bound to globalThis: some runtimes reject fetch called as a method of another object.
    this.fetch = fetchImpl ?? ((input, init) => f.call(globalThis, input, init));
    this.timeoutMs = timeoutMs;
    this.maxRetries = maxRetries;
    this.log = levelled(logger, logLevel);
    this.#headers = headers;
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        if (value.length > 0) url.searchParams.set(key, value.join(','));
      } else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Send a request and hand the successful response to `read`, retrying what is safe to retry. */
  async request<T>(options: RequestOptions, read: (response: Response) => Promise<T>): Promise<T> {
    const streamed = typeof ReadableStream !== 'undefined' && options.rawBody instanceof ReadableStream;
    const maxRetries = streamed ? 0 : (options.maxRetries ?? this.maxRetries);
    for (let retry = 0; ; retry++) {
      try {
        return await this.#attempt(options, read);
      } catch (err) {
        if (retry >= maxRetries || !isRetryable(err)) throw err;
        const delay = retryDelayMs(retry, (err as APIError).headers);
        if (options.deadline !== undefined && Date.now() + delay >= options.deadline) throw err;
        this.log.info(
          `longrun: ${options.method ?? 'GET'} ${options.path} failed (${String(err)}); retry in ${Math.round(delay)} ms`,
        );
        await sleep(delay, options.signal);
      }
    }
  }

  /** Parse a JSON body; an empty one is undefined. */
  static async json<T>(response: Response): Promise<T> {
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  async #attempt<T>(options: RequestOptions, read: (response: Response) => Promise<T>): Promise<T> {
    const { method = 'GET', path, query, body, signal, deadline } = options;
    if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
    let timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (deadline !== undefined) timeoutMs = Math.min(timeoutMs, deadline - Date.now());
    if (timeoutMs <= 0)
      throw new APIConnectionTimeoutError({ message: 'The deadline passed before the request.' });
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const combined = anySignal([signal, timeout.signal]);
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers };
    for (const [k, v] of Object.entries(options.headers ?? {}))
      if (v !== undefined) headers[k.toLowerCase()] = v;
    let payload: string | URLSearchParams | Blob | Uint8Array | ReadableStream<Uint8Array> | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (body instanceof URLSearchParams || typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    try {
      let response: Response;
      try {
        response = await this.fetch(this.url(path, query), {
          method,
          headers,
          ...(payload === undefined ? {} : { body: payload as BodyInit }),
          // A stream body needs it (fetch sends the request while the body is still being read).
          ...(payload instanceof Object && 'getReader' in payload ? { duplex: 'half' } : {}),
          signal: combined.signal,
        } as RequestInit);
      } catch (err) {
        throw this.#noResponse(err, signal, timeout.signal, timeoutMs);
      }
      if (!response.ok) {
        let errBody: unknown;
        try {
          const text = await response.text();
          try {
            errBody = text ? JSON.parse(text) : undefined;
          } catch {
            errBody = text; // not JSON (a proxy's page): kept as text in the error
          }
        } catch (err) {
          throw this.#noResponse(err, signal, timeout.signal, timeoutMs);
        }
        throw errorFromResponse(response.status, errBody, response.headers);
      }
      try {
        return await read(response);
      } catch (err) {
        if (err instanceof LongrunError) throw err;
        if (err instanceof SyntaxError) {
          throw new APIConnectionError({
            message: `The server sent a body that is not JSON: ${err.message}`,
            cause: err,
          });
        }
        throw this.#noResponse(err, signal, timeout.signal, timeoutMs);
      }
    } finally {
      clearTimeout(timer);
      if (!options.stream) combined.dispose();
    }
  }

  #noResponse(err: unknown, user: AbortSignal | undefined, timeout: AbortSignal, ms: number): LongrunError {
    if (err instanceof LongrunError) return err;
    if (user?.aborted) return new APIUserAbortError({ cause: user.reason });
    if (timeout.aborted)
      return new APIConnectionTimeoutError({ message: `Request timed out after ${ms} ms.`, cause: err });
    return new APIConnectionError({
      message: `Connection error: ${(err as Error)?.message ?? String(err)}`,
      cause: err,
    });
  }
}
