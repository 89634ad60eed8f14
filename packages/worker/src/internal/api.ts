import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  errorFromResponse,
  type Fetch,
} from '@longrun/client';
import type { ArtifactInfo, JsonObject } from '../context.js';

/** What registration answers. */
export interface Registration {
  id: string;
  name: string;
  types: string[];
  lease_seconds: number;
  heartbeat_seconds: number;
  max_wait_seconds: number;
}

export interface TypeDeclaration {
  type: string;
  description?: string;
  input_schema: JsonObject;
  queue?: string;
}

/** The job in a claim: what the handler's `ctx.job` shows (with the tenant), and its input. */
export interface ClaimedJob {
  id: string;
  type: string;
  attempt: number;
  max_attempts: number;
  metadata: JsonObject;
  queue?: string;
  input: JsonObject;
  [field: string]: unknown;
}

/** One job a claim handed over. */
export interface Claim {
  ref: string;
  lease_token: string;
  lease_expires_at: string;
  tenant: string;
  job: ClaimedJob;
}

/** What a heartbeat carries (and, alongside the outcome, a complete or fail). */
export interface Report {
  progress?: number;
  stage?: string | null;
  message?: string | null;
  eta_seconds?: number | null;
  logs?: string[];
}

export interface HeartbeatAnswer {
  canceled: boolean;
  lease_expires_at: string | null;
}

export interface FailBody extends Report {
  error: { code: string; message: string };
  retry: boolean;
  retry_in_seconds?: number;
}

interface CallOptions {
  body?: unknown;
  /** Sent as it is (an upload), with this content type. */
  raw?: { body: ReadableStream<Uint8Array>; contentType: string; length: number };
  token?: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * The remote-worker protocol of docs/workers.md, one method per call. Each
 * call is one attempt: retrying is the caller's decision, since what is worth
 * retrying differs between a claim, a heartbeat and an outcome. Failures are
 * the typed errors of @longrun/client (`APIError` and its subclasses by status,
 * `APIConnectionError` when no answer came).
 */
export class WorkerApi {
  readonly #baseUrl: string;
  readonly #fetch: Fetch;
  readonly #headers: Record<string, string>;
  /** How long a call about a job may take (a claim gets its hold on top). */
  callTimeoutMs: number;

  constructor({
    baseUrl,
    apiKey,
    fetch,
    callTimeoutMs,
  }: { baseUrl: string; apiKey: string | undefined; fetch: Fetch; callTimeoutMs: number }) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetch;
    this.#headers = { accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
    this.callTimeoutMs = callTimeoutMs;
  }

  register(body: { name: string; types: TypeDeclaration[] }): Promise<Registration> {
    return this.#call('POST', '/v1/workers', { body, timeoutMs: this.callTimeoutMs });
  }

  async claim(
    worker: string,
    body: { max_jobs: number; wait_seconds: number },
    signal: AbortSignal,
  ): Promise<Claim[]> {
    const answer = await this.#call<{ jobs: Claim[] }>('POST', `${workerPath(worker)}/claim`, {
      body,
      signal,
      timeoutMs: body.wait_seconds * 1000 + this.callTimeoutMs,
    });
    return answer.jobs;
  }

  heartbeat(worker: string, claim: Claim, report: Report): Promise<HeartbeatAnswer> {
    return this.#jobCall(worker, claim, 'heartbeat', report);
  }

  complete(worker: string, claim: Claim, body: Report & { output: JsonObject }): Promise<unknown> {
    return this.#jobCall(worker, claim, 'complete', body);
  }

  fail(worker: string, claim: Claim, body: FailBody): Promise<unknown> {
    return this.#jobCall(worker, claim, 'fail', body);
  }

  release(worker: string, claim: Claim): Promise<unknown> {
    return this.#jobCall(worker, claim, 'release', {});
  }

  /** Stream the file at `fromPath` up as the job's artifact `name`. */
  async putArtifact(
    worker: string,
    claim: Claim,
    { name, fromPath, contentType }: { name: string; fromPath: string; contentType: string },
  ): Promise<ArtifactInfo> {
    const { size } = await stat(fromPath);
    const body = Readable.toWeb(createReadStream(fromPath)) as ReadableStream<Uint8Array>;
    return this.#call('PUT', `${jobPath(worker, claim)}/artifacts/${encodeURIComponent(name)}`, {
      raw: { body, contentType, length: size },
      token: claim.lease_token,
      // An upload takes as long as its bytes do: the timeout is for the server's silence, not the transfer.
      timeoutMs: this.callTimeoutMs + size / 1000,
    });
  }

  leave(worker: string): Promise<unknown> {
    return this.#call('DELETE', workerPath(worker), { timeoutMs: this.callTimeoutMs });
  }

  #jobCall<T>(worker: string, claim: Claim, action: string, body: unknown): Promise<T> {
    return this.#call('POST', `${jobPath(worker, claim)}/${action}`, {
      body,
      token: claim.lease_token,
      timeoutMs: this.callTimeoutMs,
    });
  }

  async #call<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const { body, raw, token, timeoutMs, signal } = options;
    if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
    const headers: Record<string, string> = { ...this.#headers };
    if (token !== undefined) headers['lease-token'] = token;
    let payload: BodyInit | undefined;
    if (raw) {
      headers['content-type'] = raw.contentType;
      headers['content-length'] = String(raw.length);
      payload = raw.body as BodyInit;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    // One controller for the timeout and the caller's signal. The caller's signal (stop(), for a
    // claim) only counts until the answer begins: jobs the server has leased to this worker are in
    // that answer, and must be read whole rather than left to run out their leases.
    const controller = new AbortController();
    let why: 'timeout' | 'caller' | undefined;
    const timer = setTimeout(() => {
      why ??= 'timeout';
      controller.abort();
    }, timeoutMs);
    const onAbort = () => {
      why ??= 'caller';
      controller.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.#baseUrl + path, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        ...(raw ? { duplex: 'half' } : {}),
        signal: controller.signal,
      } as RequestInit);
      signal?.removeEventListener('abort', onAbort);
      text = await response.text();
    } catch (err) {
      if (why === 'caller') throw new APIUserAbortError({ cause: signal?.reason });
      if (why === 'timeout')
        throw new APIConnectionTimeoutError({
          message: `${method} ${path} timed out after ${Math.round(timeoutMs)} ms.`,
          cause: err,
        });
      throw new APIConnectionError({ message: `Connection error: ${rootMessage(err)}`, cause: err });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (err) {
      if (response.ok)
        throw new APIConnectionError({
          message: `The server sent a body that is not JSON: ${text.slice(0, 200)}`,
          cause: err,
        });
      parsed = text; // an error page from a proxy: kept as text in the error
    }
    if (!response.ok) throw errorFromResponse(response.status, parsed, response.headers);
    return parsed as T;
  }
}

/** Whether sending the same call again may succeed: no answer came, or a 408, 429 or 5xx did. */
export function isTransient(err: unknown): boolean {
  if (err instanceof APIUserAbortError) return false;
  if (err instanceof APIConnectionError) return true;
  if (!(err instanceof APIError) || err.status === undefined) return false;
  return err.status === 408 || err.status === 429 || err.status >= 500;
}

/** The error code of a refused call, when the server sent one. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof APIError ? err.code : undefined;
}

function workerPath(worker: string): string {
  return `/v1/workers/${encodeURIComponent(worker)}`;
}

function jobPath(worker: string, claim: Claim): string {
  return `${workerPath(worker)}/jobs/${encodeURIComponent(claim.ref)}`;
}

/** `connect ECONNREFUSED 127.0.0.1:8000` rather than `fetch failed`. */
function rootMessage(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
