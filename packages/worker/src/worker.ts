import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIError, type Fetch, type Logger, type LogLevel, LongrunError } from '@longrun/client';
import type { JsonObject, WorkerJob } from './context.js';
import { isWorkerType, type WorkerType } from './define-type.js';
import {
  type Claim,
  isTransient,
  type Registration,
  type TypeDeclaration,
  WorkerApi,
} from './internal/api.js';
import { backoffMs, retryAfterMs } from './internal/backoff.js';
import { type JobOutcome, JobRun } from './internal/job-run.js';
import { withLevel } from './internal/log.js';
import { sleep } from './internal/sleep.js';

export type { JobOutcome } from './internal/job-run.js';

/** A type made with defineType, whatever its input and output. */
// biome-ignore lint/suspicious/noExplicitAny: a list of types holds many inputs; each run() is checked where it is defined.
type AnyWorkerType = WorkerType<any>;

export interface WorkerOptions {
  /** The server's address, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /**
   * A worker key (`--worker-keys`), sent as `Authorization: Bearer <key>`.
   * @default undefined (an open server)
   */
  apiKey?: string | undefined;
  /**
   * The worker's name, shown by `GET /v1/workers`.
   * @default `<hostname>-<pid>`
   */
  name?: string | undefined;
  /** The job types it serves, each made with {@link defineType}. At least one, at most 50. */
  types: readonly AnyWorkerType[];
  /**
   * How many jobs it runs at once: it never claims more than its free slots.
   * @default 1
   */
  concurrency?: number | undefined;
  /**
   * The longest time between two heartbeats of a running job, in seconds; the
   * server's `heartbeat_seconds` is the most it may be.
   * @default the server's heartbeat_seconds
   */
  heartbeatSeconds?: number | undefined;
  /**
   * How long `stop()` lets running jobs finish before it releases them back to the queue.
   * @default 30
   */
  drainSeconds?: number | undefined;
  /**
   * How long one claim waits for a job to be queued before it asks again, in
   * seconds; the server's `max_wait_seconds` is the most it may be.
   * @default 30
   */
  waitSeconds?: number | undefined;
  /**
   * Where handlers' `ctx.tempDir()` folders are made.
   * @default `<os temp dir>/longrun-worker`
   */
  tempDir?: string | undefined;
  /**
   * Where to write what the worker does (reconnects, lost leases, refused
   * calls); `console` fits.
   * @default undefined (nothing is written)
   */
  logger?: Logger | undefined;
  /**
   * The least severe message passed to `logger`.
   * @default 'warn'
   */
  logLevel?: LogLevel | undefined;
  /**
   * The `fetch` to use: a proxy agent's, a counting wrapper, a test double.
   * @default globalThis.fetch
   */
  fetch?: Fetch | undefined;
  /**
   * Called when a claimed job starts running here.
   * @default none
   */
  onJobStart?: ((job: WorkerJob) => void) | undefined;
  /**
   * Called when a job's attempt is over here: reported, stopped, released or given up.
   * @default none
   */
  onJobEnd?: ((job: WorkerJob, outcome: JobOutcome) => void) | undefined;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * A remote worker (docs/workers.md): registers its job types, claims jobs
 * with a long-poll while it has free slots, runs each with its type's
 * handler, and reports progress, logs, artifacts and the outcome over HTTP.
 *
 * ```ts
 * const worker = new Worker({ baseUrl: 'http://127.0.0.1:8000', types: [upscale], concurrency: 2 });
 * await worker.start();
 * process.once('SIGTERM', () => worker.stop());
 * ```
 */
export class Worker {
  readonly name: string;
  readonly concurrency: number;
  readonly #api: WorkerApi;
  readonly #types: ReadonlyMap<string, AnyWorkerType>;
  readonly #heartbeatSeconds: number | undefined;
  readonly #drainMs: number;
  readonly #waitSeconds: number;
  readonly #tempRoot: string;
  readonly #log: Logger;
  readonly #onJobStart: WorkerOptions['onJobStart'];
  readonly #onJobEnd: WorkerOptions['onJobEnd'];
  /** Fires when stop() begins: it ends the claim in flight and any back-off. */
  readonly #stopping = new AbortController();
  readonly #runs = new Set<JobRun>();
  #state: State = 'new';
  #registration: Registration | null = null;
  #loop: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;
  #slotFreed: (() => void) | undefined;

  constructor({
    baseUrl,
    apiKey,
    name = `${hostname()}-${process.pid}`,
    types,
    concurrency = 1,
    heartbeatSeconds,
    drainSeconds = 30,
    waitSeconds = 30,
    tempDir = join(tmpdir(), 'longrun-worker'),
    logger,
    logLevel = 'warn',
    fetch: fetchImpl,
    onJobStart,
    onJobEnd,
  }: WorkerOptions) {
    if (typeof baseUrl !== 'string' || !/^https?:\/\//.test(baseUrl))
      throw new LongrunError(
        `baseUrl must be an http(s) URL such as http://127.0.0.1:8000; got ${String(baseUrl)}`,
      );
    if (!Array.isArray(types) || types.length === 0 || types.length > 50)
      throw new LongrunError('types must list 1 to 50 job types, each made with defineType()');
    const byName = new Map<string, AnyWorkerType>();
    for (const type of types) {
      if (!isWorkerType(type))
        throw new LongrunError('each of types must be made with defineType() from @longrun/worker');
      if (byName.has(type.type)) throw new LongrunError(`types lists ${type.type} twice`);
      byName.set(type.type, type);
    }
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new LongrunError(`concurrency must be a whole number above 0; got ${concurrency}`);
    if (heartbeatSeconds !== undefined && !(heartbeatSeconds > 0))
      throw new LongrunError(`heartbeatSeconds must be above 0; got ${heartbeatSeconds}`);
    if (!(drainSeconds >= 0)) throw new LongrunError(`drainSeconds must be 0 or more; got ${drainSeconds}`);
    if (!(waitSeconds >= 0 && waitSeconds <= 60))
      throw new LongrunError(`waitSeconds must be from 0 to 60; got ${waitSeconds}`);
    const f = fetchImpl ?? (globalThis.fetch as Fetch | undefined);
    if (!f) throw new LongrunError('No fetch available: pass options.fetch or use Node >= 20.');
    this.name = name;
    this.concurrency = concurrency;
    this.#api = new WorkerApi({
      baseUrl,
      apiKey,
      // Bound to globalThis: some runtimes reject fetch called as a method of another object.
      fetch: fetchImpl ?? ((input, init) => f.call(globalThis, input, init)),
      callTimeoutMs: 30_000,
    });
    this.#types = byName;
    this.#heartbeatSeconds = heartbeatSeconds;
    this.#drainMs = drainSeconds * 1000;
    this.#waitSeconds = waitSeconds;
    this.#tempRoot = tempDir;
    this.#log = withLevel(logger, logLevel);
    this.#onJobStart = onJobStart;
    this.#onJobEnd = onJobEnd;
  }

  /** The id the server gave this worker (`wrk_…`); undefined before it registered. */
  get id(): string | undefined {
    return this.#registration?.id;
  }

  /** How many jobs run here now. */
  get running(): number {
    return this.#runs.size;
  }

  /**
   * Register the types, then claim and run jobs until {@link stop}. Resolves
   * once registered; while the server cannot be reached it keeps trying (with
   * back-off). Rejects when the server refuses the registration (a bad key, a
   * schema it cannot compile, a type of its own: 401, 403, 409, 422).
   */
  async start(): Promise<void> {
    if (this.#state !== 'new')
      throw new LongrunError(`start() may be called once; this worker is ${this.#state}`);
    this.#state = 'starting';
    for (let retry = 0; ; retry++) {
      try {
        await this.#register();
        break;
      } catch (err) {
        if (this.#stopping.signal.aborted) return;
        if (!isTransient(err)) {
          this.#state = 'stopped';
          throw err;
        }
        const delay = retryAfterMs((err as APIError).headers) ?? backoffMs(retry);
        this.#log.warn(
          `longrun worker: cannot register (${String(err)}); trying again in ${Math.round(delay)} ms`,
        );
        await sleep(delay, this.#stopping.signal);
        if (this.#stopping.signal.aborted) return;
      }
    }
    this.#state = 'running';
    this.#loop = this.#claimLoop();
  }

  /**
   * Stop: claim nothing more, let running jobs finish for `drainSeconds`, then
   * stop the rest (their `ctx.signal` fires) and release them to the queue,
   * and leave. Resolves when all of that is done; calling it again returns the
   * same promise.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    const wasRegistered = this.#state === 'running' || this.#state === 'starting';
    this.#state = 'stopping';
    this.#stopping.abort();
    this.#slotFreed?.();
    await this.#loop;
    if (this.#runs.size > 0) {
      this.#log.info(
        `longrun worker: draining ${this.#runs.size} running job(s) for up to ${this.#drainMs} ms`,
      );
      const drained = new AbortController();
      const all = Promise.all([...this.#runs].map((run) => run.done));
      await Promise.race([all, sleep(this.#drainMs, drained.signal)]);
      drained.abort();
      for (const run of this.#runs) run.abort('shutdown');
      await all;
    }
    const registration = this.#registration;
    if (wasRegistered && registration) {
      await this.#api.leave(registration.id).catch((err: unknown) => {
        this.#log.info(
          `longrun worker: could not say it leaves (${String(err)}); the server will see it gone`,
        );
      });
    }
    this.#state = 'stopped';
  }

  async #register(): Promise<Registration> {
    const declarations: TypeDeclaration[] = [...this.#types.values()].map((t) => ({
      type: t.type,
      input_schema: t.inputSchema as JsonObject,
      ...(t.description === undefined ? {} : { description: t.description }),
      ...(t.queue === undefined ? {} : { queue: t.queue }),
    }));
    const registration = await this.#api.register({ name: this.name, types: declarations });
    if (
      typeof registration?.id !== 'string' ||
      !(registration.lease_seconds > 0) ||
      !(registration.heartbeat_seconds > 0)
    )
      throw new LongrunError(
        `The server answered the registration with ${JSON.stringify(registration)}; is it a longrun server?`,
      );
    // A call about a job must end well within a heartbeat's interval, or the lease runs out behind it.
    this.#api.callTimeoutMs = Math.min(30_000, Math.max(5_000, registration.heartbeat_seconds * 1000));
    this.#registration = registration;
    this.#log.info(
      `longrun worker: registered as ${registration.id} (${registration.types.join(', ')}); lease ${registration.lease_seconds} s`,
    );
    return registration;
  }

  async #claimLoop(): Promise<void> {
    const stop = this.#stopping.signal;
    let failures = 0;
    while (!stop.aborted) {
      await this.#freeSlot();
      if (stop.aborted) break;
      try {
        const registration = this.#registration ?? (await this.#register());
        const claims = await this.#api.claim(
          registration.id,
          {
            max_jobs: Math.min(100, this.concurrency - this.#runs.size),
            wait_seconds: Math.min(this.#waitSeconds, registration.max_wait_seconds ?? 60),
          },
          stop,
        );
        failures = 0;
        // Jobs that came with the answer to a claim stop() could no longer call off start nothing.
        if (stop.aborted) await this.#giveBack(registration, claims);
        else for (const claim of claims) this.#begin(registration, claim);
      } catch (err) {
        if (stop.aborted) break;
        await sleep(this.#afterClaimError(err, failures++), stop);
      }
    }
  }

  /** Release jobs this worker will not start: back to the queue at once, the attempt not counted. */
  async #giveBack(registration: Registration, claims: readonly Claim[]): Promise<void> {
    for (const claim of claims) {
      await this.#api.release(registration.id, claim).catch((err: unknown) => {
        this.#log.warn(
          `longrun worker: could not give back job ${claim.job.id} (${String(err)}); it runs again when its lease runs out`,
        );
      });
    }
  }

  /** How long to wait after a claim (or a registration) failed, saying why. */
  #afterClaimError(err: unknown, failures: number): number {
    const status = err instanceof APIError ? err.status : undefined;
    if (status === 404 && (err as APIError).code === 'worker_not_found') {
      this.#log.warn('longrun worker: the server does not know this worker (any more); registering again');
      this.#registration = null;
      return failures === 0 ? 0 : backoffMs(failures);
    }
    if (status === 429) return retryAfterMs((err as APIError).headers) ?? backoffMs(failures);
    const delay = backoffMs(failures);
    if (isTransient(err))
      this.#log.warn(`longrun worker: claim failed (${String(err)}); again in ${Math.round(delay)} ms`);
    else
      this.#log.error(
        `longrun worker: the server refused a claim: ${String(err)}; again in ${Math.round(delay)} ms`,
      );
    return delay;
  }

  /** Resolves when fewer than `concurrency` jobs run, or stop() began. */
  #freeSlot(): Promise<void> {
    if (this.#runs.size < this.concurrency || this.#stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#slotFreed = () => {
        this.#slotFreed = undefined;
        resolve();
      };
    });
  }

  #begin(registration: Registration, claim: Claim): void {
    const run = new JobRun(claim, {
      api: this.#api,
      workerId: registration.id,
      type: this.#types.get(claim.job.type),
      leaseMs: registration.lease_seconds * 1000,
      heartbeatMs: Math.min(this.#heartbeatSeconds ?? Infinity, registration.heartbeat_seconds) * 1000,
      tempRoot: this.#tempRoot,
      log: this.#log,
    });
    this.#runs.add(run);
    this.#hook(() => this.#onJobStart?.(run.job));
    void run.done.then((outcome) => {
      this.#runs.delete(run);
      this.#hook(() => this.#onJobEnd?.(run.job, outcome));
      this.#slotFreed?.();
    });
  }

  /** A hook that throws is the caller's bug, not the job's: it is logged and the job goes on. */
  #hook(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#log.error(`longrun worker: an onJobStart/onJobEnd hook threw: ${String(err)}`);
    }
  }
}
