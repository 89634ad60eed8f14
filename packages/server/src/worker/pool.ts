import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { backoff } from '../internal/backoff.js';
import { type Logger, silentLogger } from '../internal/logger.js';
import { type JsonObject, publicJob } from '../jobs/model.js';
import type { JobService } from '../jobs/service.js';
import { coerceError, JobFailure } from '../processors/errors.js';
import type { ArtifactInfo, ProcessorContext } from '../processors/processor.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import type { Lease } from '../store/store.js';
import { deadLocalOwners, newOwnerId } from './owner.js';
import { ProgressReporter } from './reporter.js';

export interface WorkerPoolOptions {
  /** Where jobs are claimed, watched and finished. */
  service: JobService;
  /** The processors that run the jobs. */
  registry: ProcessorRegistry;
  /** How many jobs run at once. */
  concurrency: number;
  /** How long a claim holds a job without a heartbeat. */
  leaseMs: number;
  /** How often a running job's lease is renewed. @default leaseMs / 3 */
  heartbeatMs?: number;
  /** Per-attempt timeout for processors that set none. */
  defaultTimeoutMs: number;
  /** Back-off before a retry: doubles from baseMs up to maxMs, with jitter. @default {@link retryDelay}'s */
  retry?: { baseMs?: number; maxMs?: number };
  /** How often an idle pool looks for work that no change told it of (other processes). @default 1000 */
  idlePollMs?: number;
  /** The least time between two progress writes of one job. @default {@link ProgressReporter}'s */
  progressIntervalMs?: number;
  /** Where attempts get scratch folders; each pool keeps its own under it. */
  tempRoot: string;
  /** Only these job types; every registered type when omitted. */
  types?: readonly string[];
  /** This node's name in lease owners (see {@link newOwnerId}). */
  node: string;
  logger?: Logger;
}

type StopReason = 'canceled' | 'lease_lost' | 'timeout' | 'shutdown';

interface Running {
  lease: Lease;
  abort(reason: StopReason): void;
  done: Promise<void>;
}

/**
 * Runs jobs in this process: claims up to `concurrency` jobs, holds each
 * under a lease renewed by heartbeat, hands the processor an AbortSignal that
 * fires on cancel, timeout, lost lease or shutdown, and writes the outcome
 * through the service, fenced by the lease token.
 */
export class WorkerPool {
  readonly owner: string;
  readonly #node: string;
  readonly #service: JobService;
  readonly #registry: ProcessorRegistry;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  readonly #defaultTimeoutMs: number;
  readonly #retry: { baseMs: number; maxMs: number };
  readonly #idlePollMs: number;
  readonly #progressIntervalMs: number | undefined;
  readonly #tempRoot: string;
  readonly #types: readonly string[];
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  #started = false;
  #stopping = false;
  #claiming = false;
  #again = false;
  #idleTimer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor({
    service,
    registry,
    concurrency,
    leaseMs,
    heartbeatMs = leaseMs / 3,
    defaultTimeoutMs,
    retry = {},
    idlePollMs = 1000,
    progressIntervalMs,
    tempRoot,
    types,
    node,
    logger = silentLogger,
  }: WorkerPoolOptions) {
    this.owner = newOwnerId(node);
    this.#node = node;
    this.#service = service;
    this.#registry = registry;
    this.#concurrency = concurrency;
    this.#leaseMs = leaseMs;
    this.#heartbeatMs = heartbeatMs;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#retry = { baseMs: retry.baseMs ?? 1000, maxMs: retry.maxMs ?? 60_000 };
    this.#idlePollMs = idlePollMs;
    this.#progressIntervalMs = progressIntervalMs;
    this.#tempRoot = tempRoot;
    this.#types = types ?? registry.types;
    this.#log = logger;
  }

  /** Jobs running now. */
  get active(): number {
    return this.#running.size;
  }

  get started(): boolean {
    return this.#started && !this.#stopping;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#removeStaleTempDirs();
    this.#unsubscribe = this.#service.subscribeQueued((job) => {
      if (this.#types.includes(job.type)) this.#pump();
    });
    this.#pump();
  }

  /**
   * Stop claiming; let running jobs finish for up to `graceMs`; then abort the
   * rest and put them back in the queue for another worker.
   */
  async stop({ graceMs }: { graceMs: number }): Promise<void> {
    if (!this.#started || this.#stopping) return;
    this.#stopping = true;
    this.#unsubscribe?.();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const all = () => Promise.all([...this.#running.values()].map((r) => r.done));
    await withTimeout(all(), graceMs);
    if (this.#running.size > 0) {
      this.#log.warn(
        { jobs: this.#running.size },
        'releasing jobs still running after the shutdown grace period',
      );
      for (const running of this.#running.values()) running.abort('shutdown');
      await all();
    }
    await rm(join(this.#tempRoot, encodeURIComponent(this.owner)), { recursive: true, force: true });
  }

  #pump(): void {
    if (!this.#started || this.#stopping) return;
    if (this.#claiming) {
      this.#again = true;
      return;
    }
    const free = this.#concurrency - this.#running.size;
    if (free <= 0) return;
    this.#claiming = true;
    this.#again = false;
    this.#claim(free).then(
      (got) => {
        this.#claiming = false;
        if (this.#again || got === free) this.#pump();
        else this.#waitIdle();
      },
      (err) => {
        this.#claiming = false;
        this.#log.error({ err }, 'claiming jobs failed; trying again shortly');
        this.#waitIdle();
      },
    );
  }

  async #claim(limit: number): Promise<number> {
    const leases = await this.#service.claim({
      owner: this.owner,
      leaseMs: this.#leaseMs,
      limit,
      types: this.#types,
    });
    for (const lease of leases) this.#start(lease);
    return leases.length;
  }

  /** Look again when the next delayed job is due, or after the idle interval. */
  #waitIdle(): void {
    if (this.#stopping || this.#running.size >= this.#concurrency) return;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const arm = (ms: number) => {
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = null;
        this.#pump();
      }, ms);
      this.#idleTimer.unref();
    };
    arm(this.#idlePollMs);
    this.#service.nextRunAt(this.#types).then(
      (at) => {
        if (at !== null && at - Date.now() < this.#idlePollMs && this.#idleTimer) {
          clearTimeout(this.#idleTimer);
          arm(Math.max(0, at - Date.now()));
        }
      },
      () => {},
    );
  }

  #start(lease: Lease): void {
    const { token } = lease;
    const controller = new AbortController();
    let reason: StopReason | null = null;
    const abort = (why: StopReason) => {
      if (reason) return;
      reason = why;
      controller.abort(new JobStopped(why));
    };
    const running: Running = { lease, abort, done: Promise.resolve() };
    running.done = this.#run(lease, controller.signal, abort, () => reason).finally(() => {
      this.#running.delete(token);
      this.#pump();
    });
    this.#running.set(token, running);
  }

  async #run(
    lease: Lease,
    signal: AbortSignal,
    abort: (why: StopReason) => void,
    stopReason: () => StopReason | null,
  ): Promise<void> {
    const { job, token } = lease;
    const processor = this.#registry.get(job.type);
    const tempDirs: string[] = [];
    const reporter = new ProgressReporter({
      write: (patch) => this.#service.report(token, patch),
      intervalMs: this.#progressIntervalMs,
      onError: (err) => this.#log.warn({ err, job: job.id }, 'a progress write failed'),
    });
    // Set once this attempt writes its own outcome, so the change it publishes is not taken for a lost lease.
    let settling = false;
    const watch = this.#service.watch(job.tenant, job.id);
    watch.follow(job, (changed) => {
      if (settling) return;
      if (changed.status === 'canceled') abort('canceled');
      else if (changed.status !== 'running' || changed.attempt !== job.attempt) abort('lease_lost');
    });
    const timeoutMs = processor?.timeoutMs?.(job.input) ?? this.#defaultTimeoutMs;
    const timeout = setTimeout(() => abort('timeout'), timeoutMs);
    const heartbeat = setInterval(() => {
      this.#service.heartbeat(token, this.#leaseMs).then(
        (held) => {
          if (!held) abort('lease_lost');
        },
        (err) => this.#log.warn({ err, job: job.id }, 'a heartbeat failed'),
      );
    }, this.#heartbeatMs);
    try {
      if (!processor)
        throw new JobFailure('processor_error', `No processor for type ${job.type} on this worker.`);
      const ctx: ProcessorContext<JsonObject> = {
        job: publicJob(job),
        input: job.input,
        signal,
        progress: (progress, update = {}) => reporter.add({ progress, ...update }),
        log: (line) => reporter.add({ logs: [line] }),
        setEta: (at) => reporter.add({ eta: at ? at.getTime() : null }),
        tempDir: async () => {
          const base = join(this.#tempRoot, encodeURIComponent(this.owner));
          await mkdir(base, { recursive: true });
          const dir = await mkdtemp(join(base, 'job-'));
          tempDirs.push(dir);
          return dir;
        },
        artifacts: {
          put: async (name, fromPath, contentType): Promise<ArtifactInfo> => {
            const stored = await this.#service.putArtifact(job.tenant, job.id, name, fromPath);
            return {
              name,
              content_type: contentType,
              size: stored.size,
              url: `/v1/jobs/${encodeURIComponent(job.id)}/artifacts/${encodeURIComponent(name)}`,
            };
          },
        },
      };
      const output = await untilAborted(processor.run(ctx), signal);
      signal.throwIfAborted();
      // Scratch files go before the outcome is written: a finished job holds nothing.
      await removeAll(tempDirs);
      const report = await reporter.close();
      settling = true;
      const finished = await this.#service.finish(token, 'completed', { output, report });
      if (!finished) this.#refused(job);
    } catch (err) {
      await removeAll(tempDirs);
      const report = await reporter.close();
      settling = true;
      await this.#settleFailure(lease, err, stopReason(), report);
    } finally {
      clearTimeout(timeout);
      clearInterval(heartbeat);
      watch.close();
      await removeAll(tempDirs);
    }
  }

  async #settleFailure(
    { job, token }: Lease,
    err: unknown,
    reason: StopReason | null,
    report: Awaited<ReturnType<ProgressReporter['close']>>,
  ): Promise<void> {
    try {
      switch (reason) {
        case 'lease_lost':
          this.#log.warn(
            { job: job.id, attempt: job.attempt },
            'stopped an attempt that lost its lease; the job is queued again or taken by another worker',
          );
          return;
        case 'canceled':
          // The job is no longer ours: whatever we write would be refused by the fence.
          return;
        case 'shutdown':
          await this.#service.release(token);
          return;
        case 'timeout':
          await this.#finishFailed(job, token, {
            report,
            error: { code: 'job_timeout', message: 'The attempt ran past its timeout and was stopped.' },
            retryAt: Date.now() + this.#retryDelay(job.attempt),
          });
          return;
        case null: {
          const failure = coerceError(err);
          if (failure.code === 'processor_error') this.#log.warn({ err, job: job.id }, 'a processor threw');
          await this.#finishFailed(job, token, {
            report,
            error: { code: failure.code, message: failure.message },
            retryAt: failure.retryable ? Date.now() + this.#retryDelay(job.attempt) : undefined,
          });
        }
      }
    } catch (writeErr) {
      // The store is unreachable: the lease will expire and recovery will requeue the job.
      this.#log.error({ err: writeErr, job: job.id }, 'could not record the outcome of a job');
    }
  }

  /** The wait before the retry that follows failed attempt number `attempt`. */
  #retryDelay(attempt: number): number {
    return backoff(attempt - 1, this.#retry);
  }

  async #finishFailed(
    job: Lease['job'],
    token: string,
    opts: Parameters<JobService['finish']>[2],
  ): Promise<void> {
    if (!(await this.#service.finish(token, 'failed', opts))) this.#refused(job);
  }

  /** The store's fence refused this attempt's outcome: its lease expired and the job went on without it. */
  #refused(job: Lease['job']): void {
    this.#log.warn(
      { job: job.id, attempt: job.attempt },
      'the outcome of an attempt that lost its lease was refused; the job is queued again or taken by another worker',
    );
  }

  /** At start, remove scratch folders left by pools of this host that died. */
  async #removeStaleTempDirs(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.#tempRoot);
    } catch {
      return;
    }
    const owners = entries.map((e) => decodeURIComponent(e));
    for (const dead of deadLocalOwners(owners, this.owner, this.#node)) {
      await rm(join(this.#tempRoot, encodeURIComponent(dead)), { recursive: true, force: true });
    }
  }
}

/** The reason a processor's signal fires. */
export class JobStopped extends Error {
  override name = 'JobStopped';
  readonly reason: StopReason;

  constructor(reason: StopReason) {
    super(`job stopped: ${reason}`);
    this.reason = reason;
  }
}

/**
 * The processor's promise, or a rejection as soon as the signal fires: a
 * processor that ignores its signal cannot hold a slot after cancel or timeout.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function removeAll(dirs: string[]): Promise<unknown> {
  return Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
