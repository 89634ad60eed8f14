import { type HttpCore, isRetryable, type RequestOptions } from './core.js';
import { APIConnectionError } from './errors/api-connection-error.js';
import { APIConnectionTimeoutError } from './errors/api-connection-timeout-error.js';
import type { APIError } from './errors/api-error.js';
import { APIUserAbortError } from './errors/api-user-abort-error.js';
import { LongrunError } from './errors/longrun-error.js';
import { StreamUnavailableError } from './errors/stream-unavailable-error.js';
import { checkJob } from './internal/check-job.js';
import { retryDelayMs } from './internal/retry-after.js';
import { anySignal } from './internal/signals.js';
import { sleep } from './internal/sleep.js';
import { type SseEvent, SseParser } from './internal/sse.js';
import { isTerminalStatus, type Job, type JobStatus } from './types.js';

export interface JobEventsOptions {
  /** Closes the stream with `APIUserAbortError`. @default undefined */
  signal?: AbortSignal | undefined;
  /**
   * Resume after this version (the last `id:` seen).
   * @default undefined (from the job's current state)
   */
  lastEventId?: string | number | undefined;
  /**
   * Reconnect when nothing (not even a ping) arrived for this long, in ms. The server pings every 15 s.
   * @default 45_000
   */
  idleTimeoutMs?: number | undefined;
  /**
   * Give up with the last error after this many failed reconnects in a row with no event between them.
   * @default Infinity
   */
  maxReconnects?: number | undefined;
  /**
   * Epoch ms at which the stream is closed with `APIConnectionTimeoutError` (a wait's deadline).
   * @default undefined (none)
   */
  deadline?: number | undefined;
}

/**
 * A job's snapshots over Server-Sent Events, oldest first, ending after the
 * terminal one. A dropped or silent stream is reopened with `Last-Event-ID`,
 * so nothing between the two connections is missed.
 */
export async function* jobEvents(
  core: HttpCore,
  id: string,
  options: JobEventsOptions = {},
): AsyncGenerator<Job> {
  let lastId = options.lastEventId === undefined ? undefined : String(options.lastEventId);
  const connect = () => ({
    path: `/v1/jobs/${encodeURIComponent(id)}/events`,
    headers: { 'last-event-id': lastId },
  });
  for await (const event of reconnectingEvents(core, connect, options)) {
    if (event.event !== 'job') continue;
    const job = checkJob(parseData(event.data));
    lastId = event.id ?? String(job.version);
    yield job;
    if (isTerminalStatus(job.status)) return;
  }
}

export interface ManyJobEventsOptions extends Omit<JobEventsOptions, 'lastEventId'> {
  /**
   * Only the snapshots in these states (`TERMINAL_STATUSES`: only each job's end); the stream still
   * ends once every job has.
   * @default undefined (every snapshot)
   */
  status?: readonly JobStatus[] | undefined;
}

/** What a stream of many jobs tells: a snapshot of one, or that an id names no job of the caller's. */
export type ManyJobsEvent = { job: Job } | { missing: string };

/**
 * The snapshots of many jobs over one Server-Sent Events stream
 * (`POST /v1/jobs/events`): each job's current one, then its changes, until
 * every job has ended or is missing. A dropped or silent stream is reopened
 * for the jobs not yet ended; their current snapshots come again (a caller
 * drops those it has by version).
 */
export async function* manyJobEvents(
  core: HttpCore,
  ids: readonly string[],
  options: ManyJobEventsOptions = {},
): AsyncGenerator<ManyJobsEvent> {
  const open = new Set(ids);
  if (open.size === 0) return;
  const { status } = options;
  const connect = () => ({
    method: 'POST',
    path: '/v1/jobs/events',
    body: { ids: [...open], ...(status === undefined ? {} : { status }) },
  });
  for await (const event of reconnectingEvents(core, connect, options)) {
    if (event.event === 'job') {
      const job = checkJob(parseData(event.data));
      if (!open.has(job.id)) continue;
      if (isTerminalStatus(job.status)) open.delete(job.id);
      yield { job };
    } else if (event.event === 'missing') {
      const { id } = parseData(event.data) as { id?: unknown };
      if (typeof id !== 'string' || !open.delete(id)) continue;
      yield { missing: id };
    }
    if (open.size === 0) return;
  }
}

/**
 * The events of a stream, reconnecting while it drops or falls silent:
 * `connect` gives each connection's request (so that it can resume where the
 * last one left off). Ends only when the caller stops reading; a stream the
 * server ends is reopened at once.
 */
async function* reconnectingEvents(
  core: HttpCore,
  connect: () => Pick<RequestOptions, 'method' | 'path' | 'headers' | 'body'>,
  options: Omit<JobEventsOptions, 'lastEventId'>,
): AsyncGenerator<SseEvent> {
  const { signal, idleTimeoutMs = 45_000, maxReconnects = Number.POSITIVE_INFINITY, deadline } = options;
  let failures = 0;
  // A wait's deadline closes the stream, wherever it is.
  const expiry = new AbortController();
  const expiryTimer =
    deadline === undefined ? undefined : setTimeout(() => expiry.abort(), Math.max(0, deadline - Date.now()));
  try {
    for (;;) {
      const connection = new AbortController();
      const linked = anySignal([signal, connection.signal, expiry.signal]);
      const request = connect();
      const name = `${request.method ?? 'GET'} ${request.path}`;
      let error: unknown;
      try {
        const response = await core.request(
          {
            ...request,
            headers: { accept: 'text/event-stream', ...request.headers },
            signal: linked.signal,
            maxRetries: 0,
            deadline,
            stream: true,
          },
          async (r) => r,
        );
        const type = response.headers.get('content-type') ?? '';
        if (!type.includes('text/event-stream') || !response.body) {
          await response.body?.cancel().catch(() => {});
          throw new StreamUnavailableError(
            `${name} answered ${type || 'no content type'}, not an event stream`,
          );
        }
        const events: SseEvent[] = [];
        const parser = new SseParser((e) => events.push(e));
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let idle = setTimeout(() => connection.abort(), idleTimeoutMs);
        try {
          for (;;) {
            let chunk: ReadableStreamReadResult<string>;
            try {
              chunk = await reader.read();
            } catch (err) {
              if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
              if (expiry.signal.aborted)
                throw new APIConnectionTimeoutError({ message: 'The deadline passed.' });
              throw new APIConnectionError({
                message: connection.signal.aborted
                  ? `No event or ping for ${idleTimeoutMs} ms`
                  : 'The event stream broke',
                cause: err,
              });
            }
            if (chunk.done) break;
            clearTimeout(idle);
            idle = setTimeout(() => connection.abort(), idleTimeoutMs);
            parser.feed(chunk.value);
            for (const event of events.splice(0)) {
              failures = 0;
              // The time the caller spends on an event is not silence on the stream.
              clearTimeout(idle);
              yield event;
              idle = setTimeout(() => connection.abort(), idleTimeoutMs);
            }
          }
        } finally {
          clearTimeout(idle);
          reader.cancel().catch(() => {});
        }
        // The stream ended before what it follows did (the server restarted or shut down): reconnect.
        error = new APIConnectionError({ message: 'The event stream ended before the jobs it follows did' });
      } catch (err) {
        if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
        if (expiry.signal.aborted)
          throw new APIConnectionTimeoutError({ message: 'The deadline passed.', cause: err });
        if (err instanceof StreamUnavailableError || !(err instanceof LongrunError) || !isRetryable(err))
          throw err;
        error = err;
      } finally {
        linked.dispose();
        connection.abort();
      }
      if (++failures > maxReconnects) throw error;
      // The first reconnect is at once: a clean end after events usually means a restart already under way.
      const delay = failures === 1 ? 0 : retryDelayMs(failures - 2, (error as APIError).headers);
      if (deadline !== undefined && Date.now() + delay >= deadline) throw error;
      await sleep(delay, signal);
    }
  } finally {
    clearTimeout(expiryTimer);
  }
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch (err) {
    throw new LongrunError(`The server sent an event that is not JSON: ${data.slice(0, 200)}`, {
      cause: err,
    });
  }
}
