import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { backoff } from '../internal/backoff.js';
import { type Logger, silentLogger } from '../internal/logger.js';
import { sleep } from '../internal/sleep.js';
import { type Job, type JsonObject, publicJob } from '../jobs/model.js';
import type { JobService } from '../jobs/service.js';
import { coerceError, JobFailure } from '../processors/errors.js';
import type { ArtifactInfo, InputFile, ProcessorContext } from '../processors/processor.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import { type QueueDef, Queues } from '../queues/queues.js';
import { type Lease, type ProgressPatch, StoreUnavailableError } from '../store/store.js';
import { deadLocalOwners, newOwnerId } from './owner.js';
import { ProgressReporter } from './reporter.js';

export interface WorkerPoolOptions {
  /** Where jobs are claimed, watched and finished. */
  service: JobService;
  /** The processors that run the jobs. */
  registry: ProcessorRegistry;
  /** The queues this pool takes jobs from, each with its own concurrency and limits. @default every queue of the registry's types, each with `concurrency` */
  queues?: readonly QueueDef[];
  /** How many jobs of each queue run at once, when `queues` is not given. @default 1 */
  concurrency?: number;
  /** How long a claim holds a job without a heartbeat. */
  leaseMs: number;
  /** How often a running job's lease is renewed. @default leaseMs / 3 */
  heartbeatMs?: number;
  /**
   * The most one attempt may run (`--job-timeout`): a processor's own estimate
   * for an input may shorten it, never lengthen it, so an operator's bound
   * holds for every type (a 4K, 600 s, 60 fps video is estimated at hours).
   */
  jobTimeoutMs: number;
  /** Back-off before a retry: doubles from baseMs up to maxMs, with jitter. @default {@link retryDelay}'s */
  retry?: { baseMs?: number; maxMs?: number };
  /** How often an idle pool looks for work that no change told it of (other processes). @default 1000 */
  idlePollMs?: number;
  /** The least time between two progress writes of one job. @default {@link ProgressReporter}'s */
  progressIntervalMs?: number;
  /** Where attempts get scratch folders; each pool keeps its own under it. */
  tempRoot: string;
  /** This node's name in lease owners (see {@link newOwnerId}). */
  node: string;
  /** Uploaded files, which job inputs may name. @default none: a job naming one fails with input_fetch_failed */
  files?: { local(tenant: string, id: string): Promise<InputFile | null> };
  logger?: Logger;
}

/** The least time between two progress writes of a job, when the pool is not told otherwise. */
const MIN_PROGRESS_INTERVAL_MS = 100;
/**
 * The store time one progress write is given: with N jobs running, each
 * writes at most once per N x this, so the pool as a whole makes at most
 * about 200 progress writes a second however many jobs run.
 */
const PROGRESS_WRITE_MS = 5;
/**
 * The outcomes a queue may have waiting to be written, in multiples of its
 * concurrency, before a free slot claims no more. A store writes outcomes in
 * batches, one at a time: while one is written the next gathers, and the
 * jobs claimed meanwhile end into it. With room for one concurrency's worth,
 * a claim waited for every batch's write (each batch about one claim's jobs);
 * with three, claims go on through a write and the batches grow (PostgreSQL
 * in bulk: 5-12% more jobs a second, fewer statements a job). A store slower
 * than the processors still holds claims back, three claims later.
 */
const OUTCOME_ALLOWANCE = 3;

type StopReason = 'canceled' | 'lease_lost' | 'timeout' | 'shutdown';

interface Running {
  lease: Lease;
  lane: Lane;
  abort(reason: StopReason): void;
  done: Promise<void>;
}

/** One queue as this pool serves it: its own slots, claims and idle timer. */
interface Lane {
  queue: QueueDef;
  /** Attempts whose processor is at work: the queue's concurrency bounds these. */
  running: number;
  /** Attempts whose processor is done and whose outcome is being written. */
  settling: number;
  claiming: boolean;
  again: boolean;
  /** A pump is due once the current turn's settling jobs have freed their slots. */
  pumpSoon: boolean;
  /** The last claim took all it asked for: more jobs are likely waiting. */
  backlog: boolean;
  /** When the last claim began: a job due after it was not there to take. */
  claimedAt: number;
  idleTimer: NodeJS.Timeout | null;
  /**
   * The queue's earliest due time as the store last gave it (null: nothing
   * queued), when it was asked, and the {@link dueEpoch} it was asked in.
   */
  nextDue: { at: number | null; askedAt: number; epoch: number } | null;
  /** Goes up whenever a job queued may be due before {@link nextDue}: an answer from before is stale. */
  dueEpoch: number;
}

/**
 * Runs jobs in this process: for each of its queues, claims up to the queue's
 * concurrency, holds each
 * under a lease renewed by heartbeat, hands the processor an AbortSignal that
 * fires on cancel, timeout, lost lease or shutdown, and writes the outcome
 * through the service, fenced by the lease token.
 */
export class WorkerPool {
  readonly owner: string;
  readonly #node: string;
  readonly #service: JobService;
  readonly #registry: ProcessorRegistry;
  readonly #lanes: Map<string, Lane>;
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  readonly #jobTimeoutMs: number;
  readonly #retry: { baseMs: number; maxMs: number };
  readonly #idlePollMs: number;
  readonly #progressIntervalMs: number | undefined;
  readonly #files: WorkerPoolOptions['files'];
  readonly #tempRoot: string;
  readonly #log: Logger;
  readonly #running = new Map<string, Running>();
  #started = false;
  #stopping = false;
  #unsubscribe: (() => void) | null = null;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor({
    service,
    registry,
    queues,
    concurrency = 1,
    leaseMs,
    heartbeatMs = leaseMs / 3,
    jobTimeoutMs,
    retry = {},
    idlePollMs = 1000,
    progressIntervalMs,
    tempRoot,
    node,
    files,
    logger = silentLogger,
  }: WorkerPoolOptions) {
    this.#files = files;
    this.owner = newOwnerId(node);
    this.#node = node;
    this.#service = service;
    this.#registry = registry;
    const served =
      queues ??
      Queues.build(registry, {
        cpuConcurrency: concurrency,
        waitConcurrency: concurrency,
        specs: [],
        tenantConcurrency: 0,
      }).all;
    this.#lanes = new Map(
      served.map((queue) => [
        queue.name,
        {
          queue,
          running: 0,
          settling: 0,
          claiming: false,
          again: false,
          backlog: false,
          pumpSoon: false,
          claimedAt: 0,
          idleTimer: null,
          nextDue: null,
          dueEpoch: 0,
        },
      ]),
    );
    this.#leaseMs = leaseMs;
    this.#heartbeatMs = heartbeatMs;
    this.#jobTimeoutMs = jobTimeoutMs;
    this.#retry = { baseMs: retry.baseMs ?? 1000, maxMs: retry.maxMs ?? 60_000 };
    this.#idlePollMs = idlePollMs;
    this.#progressIntervalMs = progressIntervalMs;
    this.#tempRoot = tempRoot;
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
      const lane = this.#lanes.get(job.queue);
      if (!lane) return;
      // A job due now is the claim's to find; one due later (or when, is not told) may come
      // before the due time the lane knows of.
      if (job.due_at === undefined || job.due_at > Date.now()) lane.dueEpoch += 1;
      this.#pump(lane);
    });
    for (const lane of this.#lanes.values()) this.#pump(lane);
    this.#heartbeat = setInterval(() => this.#beat(), this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  /**
   * One heartbeat for every job running here: one write however many there
   * are, rather than a timer and a write per job. A job whose lease is no
   * longer held (canceled, recovered after a stall) is stopped.
   */
  #beat(): void {
    const tokens = [...this.#running.keys()];
    if (tokens.length === 0) return;
    this.#service.heartbeatMany(tokens, this.#leaseMs).then(
      (held) => {
        for (const token of tokens) if (!held.has(token)) this.#running.get(token)?.abort('lease_lost');
      },
      (err) => this.#log.warn({ err, jobs: tokens.length }, 'a heartbeat failed'),
    );
  }

  /** Look for work in `queue` now (it was resumed here). */
  wake(queue: string): void {
    const lane = this.#lanes.get(queue);
    if (lane) this.#pump(lane);
  }

  /**
   * Stop claiming; let running jobs finish for up to `graceMs`; then abort the
   * rest and put them back in the queue for another worker.
   */
  async stop({ graceMs }: { graceMs: number }): Promise<void> {
    if (!this.#started || this.#stopping) return;
    this.#stopping = true;
    this.#unsubscribe?.();
    for (const lane of this.#lanes.values()) if (lane.idleTimer) clearTimeout(lane.idleTimer);
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
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    await rm(join(this.#tempRoot, encodeURIComponent(this.owner)), { recursive: true, force: true });
  }

  #pump(lane: Lane): void {
    if (!this.#started || this.#stopping) return;
    if (lane.claiming) {
      lane.again = true;
      return;
    }
    // A slot is free once its processor is done: the next job need not wait for the outcome's
    // write (a commit, a disk sync). Outcomes still being written count against an allowance of
    // their own (OUTCOME_ALLOWANCE), so a store slower than the processors holds claims back.
    const { concurrency } = lane.queue;
    const free = Math.min(
      concurrency - lane.running,
      (1 + OUTCOME_ALLOWANCE) * concurrency - lane.running - lane.settling,
    );
    if (free <= 0) {
      // Asked to look while every slot is taken: the next slot to free looks.
      lane.again = true;
      return;
    }
    lane.claiming = true;
    lane.again = false;
    lane.claimedAt = Date.now();
    this.#claim(lane, free).then(
      (got) => {
        lane.claiming = false;
        lane.backlog = got === free;
        // Soon, not now: the jobs just started may be done within this turn, and their slots are
        // then the next claim's too.
        if (lane.again || got === free) this.#pumpSoon(lane);
        else this.#waitIdle(lane);
      },
      (err) => {
        lane.claiming = false;
        lane.backlog = false;
        this.#log.error({ err, queue: lane.queue.name }, 'claiming jobs failed; trying again shortly');
        this.#waitIdle(lane);
      },
    );
  }

  /**
   * {@link #pump} once what frees slots now has freed them all: the
   * processors of one claim end together, and the outcomes of one batch are
   * written together; a pump on the first of them would claim one job (a
   * slot, or one outcome's room under the allowance), then the rest once that
   * claim is written, two claims (and two commits) where one serves. Once
   * begun, that split keeps itself going: each claim takes the slots the one
   * before left, half the slots a claim under load.
   */
  #pumpSoon(lane: Lane): void {
    if (lane.pumpSoon) return;
    lane.pumpSoon = true;
    process.nextTick(() => {
      lane.pumpSoon = false;
      this.#pump(lane);
    });
  }

  async #claim(lane: Lane, limit: number): Promise<number> {
    const { name, globalLimit, tenantLimit } = lane.queue;
    const leases = await this.#service.claim({
      owner: this.owner,
      leaseMs: this.#leaseMs,
      queue: name,
      limit,
      globalLimit,
      tenantLimit,
    });
    for (const lease of leases) this.#start(lane, lease);
    return leases.length;
  }

  /**
   * Look again when the queue's next scheduled job is due (to the
   * millisecond), or after the idle interval: work queued by other processes,
   * and due jobs a limit or a pause holds back, are found that way.
   *
   * The due time is asked of the store only when it may have moved: when a
   * job due later was queued since it was asked, when the time it gave has
   * come, or an idle interval after it was asked (a notice from another
   * process can be lost). Jobs that come one at a time, each due at once,
   * would otherwise cost a statement after every claim.
   */
  #waitIdle(lane: Lane): void {
    if (this.#stopping || lane.running >= lane.queue.concurrency) return;
    if (lane.idleTimer) clearTimeout(lane.idleTimer);
    const arm = (ms: number) => {
      lane.idleTimer = setTimeout(() => {
        lane.idleTimer = null;
        this.#pump(lane);
      }, ms);
      lane.idleTimer.unref();
    };
    arm(this.#idlePollMs);
    const wake = (at: number | null) => {
      // A job due before the claim began was there to take: a limit or a pause holds it back.
      if (at === null || at < lane.claimedAt || !lane.idleTimer) return;
      const wait = at - Date.now();
      if (wait < this.#idlePollMs) {
        clearTimeout(lane.idleTimer);
        arm(Math.max(0, wait));
      }
    };
    const now = Date.now();
    const known = lane.nextDue;
    if (
      known &&
      known.epoch === lane.dueEpoch &&
      now - known.askedAt < this.#idlePollMs &&
      (known.at === null || known.at > now)
    ) {
      wake(known.at);
      return;
    }
    const epoch = lane.dueEpoch;
    this.#service.nextRunAt(lane.queue.name).then(
      (at) => {
        lane.nextDue = { at, askedAt: now, epoch };
        wake(at);
      },
      () => {},
    );
  }

  #start(lane: Lane, lease: Lease): void {
    const { token } = lease;
    const stop = new AttemptStop();
    const running: Running = { lease, lane, abort: (why) => stop.abort(why), done: Promise.resolve() };
    lane.running += 1;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      lane.running -= 1;
      lane.settling += 1;
      // With jobs waiting, the next starts now; otherwise the claim waits for the write, as a
      // claim that finds nothing would only compete with it.
      if (lane.backlog || lane.again) this.#pumpSoon(lane);
    };
    running.done = this.#run(lease, stop, settle).finally(() => {
      // Heartbeats and a shutdown's wait go on until the outcome is written.
      this.#running.delete(token);
      if (settled) lane.settling -= 1;
      else lane.running -= 1;
      // A freed slot looks for work only when there may be some: the last claim took all it
      // asked for, a look was put off while every slot was taken, or a limit across processes
      // may have held due jobs back. Otherwise the last claim found the queue empty, and what
      // is queued since is announced (created, retried, released, recovered, here or in another
      // process) and pumps the lane; a claim on every finish would find nothing, and then ask
      // for the queue's next due time: two statements a job for nothing.
      if (lane.backlog || lane.again || lane.queue.globalLimit !== null || lane.queue.tenantLimit !== null)
        this.#pumpSoon(lane);
      else if (!lane.idleTimer) this.#waitIdle(lane);
    });
    this.#running.set(token, running);
  }

  async #run(
    lease: Lease,
    stop: AttemptStop,
    /** Called when the processor is done, before its outcome is written: its slot is free. */
    settle: () => void,
  ): Promise<void> {
    const { job, token } = lease;
    const processor = this.#registry.get(job.type);
    const tempDirs: string[] = [];
    // Made when the processor first reports: one that never does (most short jobs) costs nothing here.
    let reporter: ProgressReporter | null = null;
    let reported = false;
    const report = (patch: ProgressPatch) => {
      // A processor that goes on reporting after its attempt ended (it ignored its signal) is not heard.
      if (reported) return;
      reporter ??= new ProgressReporter({
        write: (p) => this.#service.report(token, p),
        // Hundreds of jobs at once share a budget of progress writes rather than each writing ten a second.
        intervalMs: () =>
          Math.max(
            this.#progressIntervalMs ?? MIN_PROGRESS_INTERVAL_MS,
            this.#running.size * PROGRESS_WRITE_MS,
          ),
        onError: (err) => this.#log.warn({ err, job: job.id }, 'a progress write failed'),
      });
      reporter.add(patch);
    };
    /** What was reported and not yet written, for the outcome's write to carry (null: nothing was); nothing more is written. */
    const unwritten = (): Promise<ProgressPatch> | null => {
      reported = true;
      return reporter?.close() ?? null;
    };
    // Set once this attempt writes its own outcome, so the change it publishes is not taken for a lost lease.
    let settling = false;
    const watch = this.#service.watch(job.tenant, job.id);
    watch.follow(job, (changed) => {
      if (settling) return;
      if (changed.status === 'canceled') stop.abort('canceled');
      else if (changed.status !== 'running' || changed.attempt !== job.attempt) stop.abort('lease_lost');
    });
    const timeoutMs = Math.min(processor?.timeoutMs?.(job.input) ?? Infinity, this.#jobTimeoutMs);
    const timeout = setTimeout(() => stop.abort('timeout'), timeoutMs);
    try {
      if (!processor)
        throw new JobFailure('processor_error', `No processor for type ${job.type} on this worker.`);
      // The job as the API shows it, made when a processor first asks: copying out its public
      // fields costs a few µs a job, which processors that never look would pay for nothing.
      let shown: Job | undefined;
      const ctx: ProcessorContext<JsonObject> = {
        get job() {
          shown ??= publicJob(job);
          return shown;
        },
        input: job.input,
        get signal() {
          return stop.signal;
        },
        progress: (progress, update = {}) => report({ progress, ...update }),
        log: (line) => report({ logs: [line] }),
        setEta: (at) => report({ eta: at ? at.getTime() : null }),
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
        files: { find: async (id) => (await this.#files?.local(job.tenant, id)) ?? null },
      };
      const output = await Promise.race([processor.run(ctx), stop.stopped]);
      stop.throwIfStopped();
      // Scratch files go before the outcome is written: a finished job holds nothing.
      if (tempDirs.length > 0) await removeAll(tempDirs);
      const closing = unwritten();
      const rest = closing ? await closing : {};
      settling = true;
      settle();
      // The processor succeeded: a store that cannot be reached now does not make the attempt a failure.
      await this.#writeOutcome(job, () =>
        this.#service.finish(token, 'completed', { output, report: rest }),
      ).catch((writeErr: unknown) =>
        this.#log.error({ err: writeErr, job: job.id }, 'could not record the outcome of a job'),
      );
    } catch (err) {
      if (tempDirs.length > 0) await removeAll(tempDirs);
      const closing = unwritten();
      const rest = closing ? await closing : {};
      settling = true;
      settle();
      await this.#settleFailure(lease, err, stop.reason, rest);
    } finally {
      clearTimeout(timeout);
      watch.close();
      if (tempDirs.length > 0) await removeAll(tempDirs);
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
    await this.#writeOutcome(job, () => this.#service.finish(token, 'failed', opts));
  }

  /**
   * Write an attempt's outcome, trying again while the store cannot be
   * reached, for as long as a lease lasts: the outcome is the processor's, and
   * an outage must not turn it into another. Past that the job's lease has
   * run out, recovery queues it again, and this outcome would be refused.
   */
  async #writeOutcome(job: Lease['job'], write: () => Promise<unknown>): Promise<void> {
    const giveUpAt = Date.now() + this.#leaseMs;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!(await write())) this.#refused(job);
        return;
      } catch (err) {
        if (!(err instanceof StoreUnavailableError) || Date.now() >= giveUpAt) throw err;
        await sleep(
          Math.min(backoff(attempt, { baseMs: 100, maxMs: 2_000 }), Math.max(0, giveUpAt - Date.now())),
        );
      }
    }
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
 * How an attempt is stopped (cancel, timeout, lost lease, shutdown). The slot
 * waits on {@link stopped}, which rejects at the stop, so a processor that
 * ignores its signal cannot hold a slot after it. The processor's AbortSignal
 * is made only if the processor reads it: making one and listening to it
 * cost about 2.5 µs, for every job, of a few hundred a no-op job costs.
 */
class AttemptStop {
  readonly #controller = new AbortController();
  #reason: StopReason | null = null;
  #reject: (err: JobStopped) => void = () => {};
  /** Never resolves; rejects with the {@link JobStopped} at the stop. */
  readonly stopped = new Promise<never>((_, reject) => {
    this.#reject = reject;
  });

  constructor() {
    // An attempt that ends unstopped never awaits it, one stopped after its processor returned
    // no longer does: neither is an unhandled rejection.
    this.stopped.catch(() => {});
  }

  get reason(): StopReason | null {
    return this.#reason;
  }

  /** The processor's signal (AbortController makes it on first read, aborted if the stop came first). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abort(why: StopReason): void {
    if (this.#reason) return;
    this.#reason = why;
    const stopped = new JobStopped(why);
    this.#controller.abort(stopped);
    this.#reject(stopped);
  }

  throwIfStopped(): void {
    if (this.#reason) this.#controller.signal.throwIfAborted();
  }
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
