import { type HttpCore, isRetryable } from './core.js';
import { APIConnectionTimeoutError } from './errors/api-connection-timeout-error.js';
import { APIError } from './errors/api-error.js';
import { APIUserAbortError } from './errors/api-user-abort-error.js';
import { AuthenticationError } from './errors/authentication-error.js';
import { LongrunError } from './errors/longrun-error.js';
import { NotFoundError } from './errors/not-found-error.js';
import { UnknownStatusError } from './errors/unknown-status-error.js';
import { WaitTimeoutError } from './errors/wait-timeout-error.js';
import { jobEvents, manyJobEvents } from './events.js';
import { checkJob } from './internal/check-job.js';
import { retryAfterMs, retryDelayMs } from './internal/retry-after.js';
import { sleep } from './internal/sleep.js';
import { poll } from './poll.js';
import { isTerminalStatus, type Job, type JobStatus, TERMINAL_STATUSES, type Transport } from './types.js';

export type WaitStrategy = 'auto' | Transport;

export interface WaitOptions {
  /**
   * Give up with `WaitTimeoutError` (carrying the last job seen) after this many ms.
   * @default 3_600_000 (one hour)
   */
  timeoutMs?: number | undefined;
  /**
   * Stops the wait and its requests at once with `APIUserAbortError`.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
  /**
   * Called with each new snapshot (a higher `version`), the terminal one included.
   * @default undefined
   */
  onProgress?: ((job: Job) => void) | undefined;
  /**
   * How to learn of changes: `sse` (one streamed request), `long-poll` (`?wait=`), `poll`
   * (adaptive polling), or `auto`: SSE, falling back to long-poll, then to polling, when the
   * server or a proxy on the way does not offer the former.
   * @default 'auto'
   */
  strategy?: WaitStrategy | undefined;
  /**
   * Adaptive polling: the shortest sleep between status requests when the server gives no hint, in ms.
   * @default 100
   */
  pollIntervalMs?: number | undefined;
  /**
   * Told which transport the wait is using, and again on each fallback.
   * @default undefined
   */
  onTransport?: ((transport: Transport) => void) | undefined;
}

/** The longest hold asked of the server per long-poll (it allows 60 s). */
const MAX_HOLD_S = 55;
/**
 * With an onProgress to feed, each long-poll is held at most this long, so
 * progress shows about once a second (one request per second) while the end
 * still comes back at once.
 */
const PROGRESS_HOLD_S = 1;
/** A long-poll answered this much earlier than asked, and not at the end, means the server ignores `wait`. */
const EARLY_MS = 250;
/** Failed SSE (re)connects in a row, with no event between, before `auto` tries long-poll. */
const SSE_ATTEMPTS = 4;

const STRATEGIES: readonly string[] = ['auto', 'sse', 'long-poll', 'poll'];

class Fallback extends LongrunError {
  override name = 'Fallback';
}

/** Wait for a job to end; see {@link WaitOptions}. */
export async function waitForJob(
  core: HttpCore,
  target: string | Job,
  options: WaitOptions = {},
): Promise<Job> {
  const { timeoutMs, signal, strategy, deadline } = startWait(options);
  const id = typeof target === 'string' ? target : target.id;
  // A snapshot in hand (the create reply) is where the wait starts: SSE resumes after it, polling waits its hint.
  const given = typeof target === 'string' ? undefined : checkJob(target);
  if (given && isTerminalStatus(given.status)) return given;
  let last: Job | undefined = given;
  const seen = (job: Job) => {
    if (last && job.version <= last.version && !isTerminalStatus(job.status)) return;
    const changed = !last || job.version > last.version;
    last = job;
    if (changed) options.onProgress?.(job);
  };
  const order: Transport[] = strategy === 'auto' ? ['sse', 'long-poll', 'poll'] : [strategy];
  try {
    for (const [index, transport] of order.entries()) {
      const phase: Phase = {
        signal,
        timeoutMs,
        deadline,
        seen,
        options,
        last: () => last,
        fallback: index < order.length - 1,
      };
      options.onTransport?.(transport);
      core.log.debug(`longrun: waiting for ${id} with ${transport}`);
      try {
        if (transport === 'sse') return await viaSse(core, id, phase);
        if (transport === 'long-poll') return await viaLongPoll(core, id, phase);
        return await viaPoll(core, id, phase, index === 0 ? given : undefined);
      } catch (err) {
        if (!(err instanceof Fallback)) throw err;
        core.log.info(
          `longrun: ${transport} is not available for ${id} (${err.message}); trying the next transport`,
        );
      }
    }
    throw new LongrunError('No transport could follow the job.');
  } catch (err) {
    return endOfWait(err, { signal, deadline }, (cause) => new WaitTimeoutError(timeoutMs, last, { cause }));
  }
}

/** A wait's options, checked, with its deadline. */
function startWait({ timeoutMs = 3_600_000, signal, strategy = 'auto' }: WaitOptions | WaitManyOptions) {
  if (!(timeoutMs >= 0)) throw new LongrunError(`timeoutMs must be >= 0; got ${timeoutMs}`);
  if (!STRATEGIES.includes(strategy)) {
    throw new LongrunError(`Unknown wait strategy ${String(strategy)}; use auto, sse, long-poll or poll.`);
  }
  return { timeoutMs, signal, strategy, deadline: Date.now() + timeoutMs };
}

/**
 * What a wait that failed with `err` throws: the caller's abort as such; a
 * deadline that passed (a transport's own timeout, or a request cut by it) as
 * the `WaitTimeoutError` that `timedOut` makes, with what the wait saw.
 */
function endOfWait(
  err: unknown,
  { signal, deadline }: { signal: AbortSignal | undefined; deadline: number },
  timedOut: (cause: unknown) => WaitTimeoutError<unknown>,
): never {
  if (signal?.aborted)
    throw err instanceof APIUserAbortError ? err : new APIUserAbortError({ cause: signal.reason });
  if (err instanceof WaitTimeoutError) throw timedOut(err.cause);
  // Timers may fire a millisecond before Date.now() reaches the deadline.
  if (Date.now() >= deadline - 5 && (err instanceof APIConnectionTimeoutError || isRetryable(err))) {
    throw timedOut(err);
  }
  throw err;
}

export interface WaitManyOptions extends Omit<WaitOptions, 'onProgress' | 'onTransport'> {
  /**
   * Called with each new snapshot of any of the jobs (a higher `version`), the terminal ones included.
   * @default undefined
   */
  onProgress?: ((job: Job) => void) | undefined;
}

/** Jobs followed at once, each on its own, where no stream of many can be had. */
const EACH_AT_ONCE = 8;

/**
 * Wait for every job of `targets` to end, and give them back in that order:
 * one event stream for all of them (`POST /v1/jobs/events`), reopened for
 * those not yet ended after a drop; where the server or a proxy offers no
 * such stream (`auto`), or `strategy` names a transport of one job, each job
 * is waited for on its own ({@link waitForJob}), a few at a time. A job that
 * does not exist is a `NotFoundError`; the deadline a `WaitTimeoutError`
 * whose `last` holds the newest snapshot seen of each job, in order.
 */
export async function waitForJobs(
  core: HttpCore,
  targets: readonly (string | Job)[],
  options: WaitManyOptions = {},
): Promise<Job[]> {
  const { timeoutMs, signal, strategy, deadline } = startWait(options);
  const ids = targets.map((t) => (typeof t === 'string' ? t : t.id));
  const latest = new Map<string, Job>();
  const seen = (job: Job) => {
    const last = latest.get(job.id);
    if (last && job.version <= last.version) return;
    latest.set(job.id, job);
    options.onProgress?.(job);
  };
  for (const target of targets) if (typeof target !== 'string') seen(checkJob(target));
  const pending = () =>
    [...new Set(ids)].filter((id) => !isTerminalStatus(latest.get(id)?.status ?? 'queued'));
  const result = () => ids.map((id) => latest.get(id)!);
  try {
    if (pending().length === 0) return result();
    if (strategy === 'auto' || strategy === 'sse') {
      try {
        await manyViaSse(core, pending(), {
          signal,
          deadline,
          seen,
          fallback: strategy === 'auto',
          // With no one to tell of progress, each job's end is all the stream need send.
          status: options.onProgress === undefined ? TERMINAL_STATUSES : undefined,
        });
        // A job the stream missed that a read then found (made meanwhile) is waited for below.
        if (pending().length === 0) return result();
      } catch (err) {
        if (!(err instanceof Fallback)) throw err;
        core.log.info(`longrun: no event stream of many jobs (${err.message}); waiting for each job`);
      }
    }
    await eachOnItsOwn(core, pending(), {
      ...options,
      strategy,
      deadline,
      seen,
      given: latest,
    });
    return result();
  } catch (err) {
    const last = () => ids.flatMap((id) => latest.get(id) ?? []);
    return endOfWait(
      err,
      { signal, deadline },
      (cause) => new WaitTimeoutError(timeoutMs, last(), { cause }),
    );
  }
}

async function manyViaSse(
  core: HttpCore,
  ids: readonly string[],
  {
    signal,
    deadline,
    seen,
    fallback,
    status,
  }: {
    signal: AbortSignal | undefined;
    deadline: number;
    seen: (job: Job) => void;
    fallback: boolean;
    status: readonly JobStatus[] | undefined;
  },
): Promise<void> {
  const events = manyJobEvents(core, ids, {
    signal,
    deadline,
    status,
    maxReconnects: fallback ? SSE_ATTEMPTS - 1 : Number.POSITIVE_INFINITY,
  });
  try {
    for await (const event of events) {
      if ('job' in event) seen(event.job);
      // The stream says the job is not the caller's to see: a read of it throws the error it is.
      else
        seen(
          await core.request(
            { path: `/v1/jobs/${encodeURIComponent(event.missing)}`, signal, deadline },
            async (r) => checkJob(await r.json()),
          ),
        );
    }
  } catch (err) {
    if (!fallback || isFinal(err) || Date.now() >= deadline - 5) throw err;
    // A server from before the route answers 404 (a code other than job_not_found).
    throw new Fallback(String((err as Error).message ?? err), { cause: err });
  }
}

/** Each job waited for on its own, {@link EACH_AT_ONCE} at a time; the transport that works for one serves the next. */
async function eachOnItsOwn(
  core: HttpCore,
  ids: readonly string[],
  {
    strategy,
    deadline,
    seen,
    given,
    ...options
  }: WaitManyOptions & {
    strategy: WaitStrategy;
    deadline: number;
    seen: (job: Job) => void;
    given: ReadonlyMap<string, Job>;
  },
): Promise<void> {
  const queue = [...ids];
  let transport = strategy;
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let used: WaitStrategy = transport;
      seen(
        await waitForJob(core, given.get(id) ?? id, {
          ...options,
          strategy: transport,
          timeoutMs: Math.max(0, deadline - Date.now()),
          onProgress: seen,
          onTransport: (t) => {
            used = t;
          },
        }),
      );
      // A fallback that served one job serves the rest: they need not try what failed first.
      if (transport === 'auto' && used !== 'sse') transport = used;
    }
  };
  await Promise.all(Array.from({ length: Math.min(EACH_AT_ONCE, queue.length) }, worker));
}

/** What every transport is given. */
interface Phase {
  signal: AbortSignal | undefined;
  timeoutMs: number;
  deadline: number;
  seen: (job: Job) => void;
  options: WaitOptions;
  /** The newest job seen, by any transport. */
  last: () => Job | undefined;
  /** Another transport follows: give up on this one (with `Fallback`) when the server does not offer it. */
  fallback: boolean;
}

/** Errors that end the wait whatever the transport: the job is not there, or we may not see it. */
function isFinal(err: unknown): boolean {
  return (
    err instanceof APIUserAbortError ||
    err instanceof UnknownStatusError ||
    err instanceof AuthenticationError ||
    (err instanceof NotFoundError && err.code === 'job_not_found')
  );
}

async function viaSse(
  core: HttpCore,
  id: string,
  { signal, deadline, seen, fallback, last }: Phase,
): Promise<Job> {
  const events = jobEvents(core, id, {
    signal,
    deadline,
    lastEventId: last()?.version,
    maxReconnects: fallback ? SSE_ATTEMPTS - 1 : Number.POSITIVE_INFINITY,
  });
  try {
    for await (const job of events) {
      seen(job);
      if (isTerminalStatus(job.status)) return job;
    }
  } catch (err) {
    if (!fallback || isFinal(err) || Date.now() >= deadline - 5) throw err;
    throw new Fallback(String((err as Error).message ?? err), { cause: err });
  }
  throw new Fallback('the event stream ended without a terminal event');
}

async function viaLongPoll(
  core: HttpCore,
  id: string,
  { signal, timeoutMs, deadline, seen, fallback, options, last }: Phase,
): Promise<Job> {
  // With no one to tell of progress, one request can hold until the end.
  const maxHold = options.onProgress === undefined ? MAX_HOLD_S : PROGRESS_HOLD_S;
  let failures = 0;
  for (;;) {
    const leftMs = deadline - Date.now();
    const holdS = Math.max(0, Math.min(maxHold, Math.floor(leftMs / 100) / 10));
    const since = last()?.version;
    const sent = Date.now();
    let job: Job;
    try {
      job = await core.request(
        {
          path: `/v1/jobs/${encodeURIComponent(id)}`,
          query: { wait: holdS, since, until: 'terminal' },
          signal,
          maxRetries: 0,
          timeoutMs: holdS * 1000 + core.timeoutMs,
          // Let the answer the server sends at the deadline arrive.
          deadline: deadline + 1000,
        },
        async (r) => checkJob(await r.json()),
      );
    } catch (err) {
      if (isFinal(err)) throw err;
      const badRequest = err instanceof APIError && err.status === 400;
      if (badRequest && fallback)
        throw new Fallback(`the server refused ?wait (${err.message})`, { cause: err });
      if (!isRetryable(err) || Date.now() >= deadline) throw err;
      const delay = retryDelayMs(failures++, (err as APIError).headers);
      await sleep(Math.min(delay, deadline - Date.now()), signal);
      continue;
    }
    failures = 0;
    seen(job);
    if (isTerminalStatus(job.status)) return job;
    // Held until the end, a request that comes back early without it means the server does not hold.
    const early = Date.now() - sent < holdS * 1000 - EARLY_MS;
    if (early && holdS > 0) {
      if (fallback) throw new Fallback('the server answered at once: it does not hold ?wait requests');
      // The server does not hold: do not spin on it.
      await sleep(Math.min(1000, deadline - Date.now()), signal);
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(timeoutMs, job);
  }
}

async function viaPoll(
  core: HttpCore,
  id: string,
  { signal, deadline, seen, options, timeoutMs }: Phase,
  initial: Job | undefined,
): Promise<Job> {
  return poll({
    fetchStatus: ({ deadline: d }) =>
      core.request(
        { path: `/v1/jobs/${encodeURIComponent(id)}`, signal, deadline: d, maxRetries: 0 },
        async (r) => ({ job: checkJob(await r.json()), after: retryAfterMs(r.headers) }),
      ),
    isDone: ({ job }) => isTerminalStatus(job.status),
    hint: ({ job, after }) => ({ afterMs: after, eta: job.eta }),
    initial: initial && { job: initial, after: undefined },
    onValue: ({ job }) => seen(job),
    timeoutMs: Math.max(0, deadline - Date.now()),
    signal,
    minIntervalMs: options.pollIntervalMs ?? 100,
    retryable: (err) => !isFinal(err) && isRetryable(err),
  })
    .then(({ job }) => job)
    .catch((err) => {
      if (err instanceof WaitTimeoutError)
        throw new WaitTimeoutError(timeoutMs, (err.last as { job: Job } | undefined)?.job, {
          cause: err.cause,
        });
      throw err;
    });
}
