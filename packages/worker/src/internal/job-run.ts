import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { APIError, type Logger } from '@longrun/client';
import type { JobContext, JsonObject, WorkerJob } from '../context.js';
import type { WorkerType } from '../define-type.js';
import { JobStopped, type StopReason } from '../errors/job-stopped.js';
import { type Claim, type FailBody, isTransient, type Report, type WorkerApi } from './api.js';
import { backoffMs, retryAfterMs } from './backoff.js';
import { failureOf } from './failure.js';
import { Heartbeats } from './heartbeats.js';
import { sleep } from './sleep.js';

/** How one attempt ended, as far as this worker knows. */
export interface JobOutcome {
  /**
   * `completed`, `failed`: reported to the server. `canceled`: the server said
   * so. `lease_lost`: the server refused the job's calls (its lease expired,
   * another worker took it); nothing was reported. `released`: given back at
   * shutdown. `unreported`: the outcome could not be sent before the lease ran
   * out; the server will run the job again.
   */
  status: 'completed' | 'failed' | 'canceled' | 'lease_lost' | 'released' | 'unreported';
  /** With `failed`: what was reported. */
  error?: { code: string; message: string };
  /** With `failed`: whether the server was asked to retry. */
  retry?: boolean;
  /** How long the attempt ran here, in ms. */
  durationMs: number;
}

export interface JobRunOptions {
  api: WorkerApi;
  workerId: string;
  /** The served type of the claimed job; undefined when this worker does not have it. */
  type: WorkerType<unknown> | undefined;
  leaseMs: number;
  heartbeatMs: number;
  tempRoot: string;
  log: Logger;
}

/** The artifact names the server takes: 1-128 of A-Z a-z 0-9 . _ -, not starting with a dot. */
const ARTIFACT_NAME = /^(?!\.)[A-Za-z0-9._-]{1,128}$/;
/** The longest a release at shutdown is tried: past it the lease runs out on its own. */
const RELEASE_TRY_MS = 5_000;

/**
 * One claimed job: runs its handler with a context, keeps its lease with
 * heartbeats that carry the handler's reports, stops it when a heartbeat's
 * answer says it was canceled or its lease is gone, and reports the outcome,
 * trying again while the server cannot be reached and the lease lasts.
 */
export class JobRun {
  readonly claim: Claim;
  readonly job: WorkerJob;
  /** Settles (never rejects) when the attempt is over and its outcome reported, or given up. */
  readonly done: Promise<JobOutcome>;
  readonly #o: JobRunOptions;
  readonly #controller = new AbortController();
  readonly #tempDirs: string[] = [];
  readonly #startedAt = Date.now();
  /** Local time by which the lease runs out unless a heartbeat extends it. */
  #leaseDeadline: number;

  constructor(claim: Claim, options: JobRunOptions) {
    this.claim = claim;
    this.#o = options;
    const { input: _input, ...job } = claim.job;
    this.job = { ...job, tenant: claim.tenant };
    this.#leaseDeadline = this.#startedAt + options.leaseMs;
    this.done = this.#run().catch((err: unknown) => {
      options.log.error(`longrun worker: job ${this.job.id}: ${String(err)}`);
      return this.#outcome('unreported');
    });
  }

  /** Stop the handler: its signal fires with a {@link JobStopped} of this reason. */
  abort(reason: StopReason): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(new JobStopped(reason));
  }

  get #reason(): StopReason | null {
    const { signal } = this.#controller;
    return signal.aborted ? (signal.reason as JobStopped).reason : null;
  }

  async #run(): Promise<JobOutcome> {
    const beats = new Heartbeats({
      send: (report) => this.#heartbeat(report),
      intervalMs: this.#o.heartbeatMs,
      retryDelayMs: (n) => backoffMs(n, { maxMs: this.#o.heartbeatMs }),
    });
    let output: unknown;
    try {
      output = await untilAborted(this.#handle(beats), this.#controller.signal);
    } catch (err) {
      const report = await beats.close();
      await this.#removeTempDirs();
      if (this.#reason) return this.#stopped(this.#reason);
      const failure = failureOf(err);
      if (failure.error.code === 'processor_error')
        this.#o.log.warn(`longrun worker: job ${this.job.id} (${this.job.type}) threw: ${String(err)}`);
      return this.#fail({ ...report, ...failure });
    }
    const report = await beats.close();
    await this.#removeTempDirs();
    if (this.#reason) return this.#stopped(this.#reason);
    const problem = outputProblem(output);
    if (problem !== null) {
      return this.#fail({
        ...report,
        error: { code: 'processor_error', message: `The handler of ${this.job.type} ${problem}` },
        retry: true,
      });
    }
    return this.#complete({ ...report, output: (output ?? {}) as JsonObject });
  }

  #handle(beats: Heartbeats): Promise<unknown> {
    const { type } = this.#o;
    if (!type) {
      // The claim only hands out declared types; a type dropped from this worker's list would land here.
      return Promise.reject(new Error(`This worker does not serve ${this.job.type}.`));
    }
    const ctx: JobContext<unknown> = {
      job: this.job,
      input: this.claim.job.input,
      signal: this.#controller.signal,
      progress: (percent, update = {}) => {
        if (!Number.isFinite(percent)) return;
        beats.add({ progress: Math.min(100, Math.max(0, Math.floor(percent))), ...definedOf(update) });
      },
      log: (line) => beats.add({ logs: [String(line)] }),
      setEta: (at) => beats.add({ eta: at === null ? null : at.getTime() }),
      tempDir: () => this.#tempDir(),
      artifacts: { put: (name, fromPath, contentType) => this.#putArtifact(name, fromPath, contentType) },
    };
    // A handler that throws before its first await is a rejection like any other.
    return Promise.resolve().then(() => type.run(ctx));
  }

  async #heartbeat(report: Report): Promise<void> {
    const sentAt = Date.now();
    try {
      const answer = await this.#o.api.heartbeat(this.#o.workerId, this.claim, report);
      this.#leaseDeadline = sentAt + this.#o.leaseMs;
      if (answer.canceled) this.abort('canceled');
    } catch (err) {
      if (isTransient(err)) {
        this.#o.log.info(
          `longrun worker: job ${this.job.id}: a heartbeat failed (${String(err)}); trying again`,
        );
        throw err;
      }
      if (isLost(err)) {
        this.#o.log.warn(`longrun worker: job ${this.job.id}: lease lost (${String(err)}); stopping it`);
        this.abort('lease_lost');
        return;
      }
      // Refused for what it carried: sending it again would be refused again.
      this.#o.log.warn(`longrun worker: job ${this.job.id}: a heartbeat was refused: ${String(err)}`);
    }
  }

  async #putArtifact(name: string, fromPath: string, contentType: string) {
    if (!ARTIFACT_NAME.test(name))
      throw new TypeError(
        `artifact name must be 1-128 of A-Z a-z 0-9 . _ -, not starting with a dot; got ${JSON.stringify(name)}`,
      );
    try {
      return await this.#retrying(`upload of ${name}`, () =>
        this.#o.api.putArtifact(this.#o.workerId, this.claim, { name, fromPath, contentType }),
      );
    } catch (err) {
      if (isLost(err)) this.abort('lease_lost');
      throw err;
    }
  }

  async #complete(body: Report & { output: JsonObject }): Promise<JobOutcome> {
    try {
      await this.#retrying('complete', () => this.#o.api.complete(this.#o.workerId, this.claim, body));
      return this.#outcome('completed');
    } catch (err) {
      if (isLost(err) || isTransient(err)) return this.#notDelivered('complete', err);
      // The server refused the output itself (too large, not an object): the same output would be refused again.
      this.#o.log.error(`longrun worker: job ${this.job.id}: the server refused its output: ${String(err)}`);
      return this.#fail({
        error: {
          code: 'output_refused',
          message: `The server refused the output: ${(err as Error).message}`,
        },
        retry: false,
      });
    }
  }

  async #fail(body: FailBody): Promise<JobOutcome> {
    try {
      await this.#retrying('fail', () => this.#o.api.fail(this.#o.workerId, this.claim, body));
      return { ...this.#outcome('failed'), error: body.error, retry: body.retry };
    } catch (err) {
      if (!isLost(err) && !isTransient(err))
        this.#o.log.error(`longrun worker: job ${this.job.id}: its failure was refused: ${String(err)}`);
      return this.#notDelivered('fail', err);
    }
  }

  async #stopped(reason: StopReason): Promise<JobOutcome> {
    if (reason !== 'shutdown') return this.#outcome(reason);
    this.#leaseDeadline = Math.min(this.#leaseDeadline, Date.now() + RELEASE_TRY_MS);
    try {
      await this.#retrying('release', () => this.#o.api.release(this.#o.workerId, this.claim));
      return this.#outcome('released');
    } catch (err) {
      return this.#notDelivered('release', err);
    }
  }

  #notDelivered(what: string, err: unknown): JobOutcome {
    if (isLost(err)) {
      this.#o.log.warn(
        `longrun worker: job ${this.job.id}: its ${what} was refused, the lease is gone (${String(err)}); the job is queued again or taken by another worker`,
      );
      return this.#outcome('lease_lost');
    }
    this.#o.log.error(`longrun worker: job ${this.job.id}: could not send its ${what} (${String(err)})`);
    return this.#outcome('unreported');
  }

  /** `call`, again after a back-off while it fails for want of an answer and the lease lasts. */
  async #retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await call();
      } catch (err) {
        const delay = retryAfterMs((err as APIError).headers) ?? backoffMs(retry);
        if (!isTransient(err) || Date.now() + delay >= this.#leaseDeadline) throw err;
        this.#o.log.info(
          `longrun worker: job ${this.job.id}: ${what} failed (${String(err)}); retry in ${Math.round(delay)} ms`,
        );
        await sleep(delay);
      }
    }
  }

  async #tempDir(): Promise<string> {
    await mkdir(this.#o.tempRoot, { recursive: true });
    const dir = await mkdtemp(join(this.#o.tempRoot, 'job-'));
    this.#tempDirs.push(dir);
    return dir;
  }

  async #removeTempDirs(): Promise<void> {
    await Promise.all(this.#tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }

  #outcome(status: JobOutcome['status']): JobOutcome {
    return { status, durationMs: Date.now() - this.#startedAt };
  }
}

/** A refusal that says the job is no longer this worker's: 409 lease_lost, or the worker or job is gone (404). */
function isLost(err: unknown): boolean {
  return err instanceof APIError && ((err.status === 409 && err.code === 'lease_lost') || err.status === 404);
}

/** Why `output` cannot be a job's output; null when it can. */
function outputProblem(output: unknown): string | null {
  if (output === undefined || output === null) return null;
  if (typeof output !== 'object' || Array.isArray(output))
    return `returned ${Array.isArray(output) ? 'an array' : typeof output}; return a JSON object (or nothing)`;
  try {
    JSON.stringify(output);
  } catch (err) {
    return `returned an output that is not JSON: ${(err as Error).message}`;
  }
  return null;
}

function definedOf<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The handler's promise, or a rejection as soon as the signal fires: a handler
 * that ignores its signal cannot hold a slot after cancel, lease loss or the drain.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let off = () => {};
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    off = () => signal.removeEventListener('abort', onAbort);
  });
  return Promise.race([promise, aborted]).finally(off);
}
