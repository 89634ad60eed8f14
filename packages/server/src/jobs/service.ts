import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type ArtifactStorage, isValidArtifactName, type StoredArtifact } from '../artifacts/storage.js';
import { ApiError } from '../errors.js';
import type { ChangeFeed, FeedState, JobListener, QueuedListener } from '../feed/change-feed.js';
import { fileContentPath, fileIdOf, isFileId } from '../files/refs.js';
import type { AddressPolicy } from '../net/ssrf.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import { type QueueDef, Queues } from '../queues/queues.js';
import type {
  ClaimOptions,
  FinishOptions,
  HeldJob,
  InsertResult,
  JobStore,
  Lease,
  ListFilter,
  NewJob,
  ProgressPatch,
  QueueCounts,
} from '../store/store.js';
import type { WebhookDelivery } from '../webhooks/model.js';
import { checkWebhook, type WebhookParam } from '../webhooks/validate.js';
import { JobCache } from './cache.js';
import { isValidJobId, JOB_ID_RULE, newJobId } from './ids.js';
import { checkDataUrls, type InputLimits, storedInputJson } from './input-limits.js';
import type { JsonObject, StoredJob } from './model.js';
import { isTerminal } from './states.js';
import { JobWatch } from './watch.js';

export interface CreateJobParams {
  type: string;
  input?: JsonObject | undefined;
  id?: string | undefined;
  max_attempts?: number | undefined;
  metadata?: JsonObject | undefined;
  webhook?: WebhookParam | undefined;
  /** Another queue of the same kind as the type's own. */
  queue?: string | undefined;
  /** -100..100, higher first; 0 when omitted. */
  priority?: number | undefined;
  /** ISO 8601: not before then. */
  run_at?: string | undefined;
  /** Not before this many seconds from now. */
  run_in_seconds?: number | undefined;
}

/** How {@link JobService.create} and {@link JobService.createMany} take a request. */
export interface CreateOptions {
  /** Same key and request: the first job again; same key, another request: a conflict. */
  idempotencyKey?: string | undefined;
  /**
   * This server's origin as the request reached it (`http://host:port`): an input URL of an
   * uploaded file on it is read from storage. @default none: only relative file URLs and ids
   */
  origin?: string | undefined;
}

/** What became of one item of {@link JobService.createMany}. */
export type BatchOutcome = { ok: true; job: StoredJob; replayed: boolean } | { ok: false; error: ApiError };

/** A queue's limits and state, and its counts as the caller may see them. */
export interface QueueView {
  queue: QueueDef;
  paused: boolean;
  counts: QueueCounts;
}

/** How far back a `run_at` may lie (clocks differ), and how far ahead. */
const RUN_AT_PAST_MS = 60_000;
const RUN_AT_AHEAD_MS = 365 * 86_400_000;
/** ISO 8601 with a date, a time and a zone: nothing Date.parse would guess at. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export interface JobServiceOptions {
  store: JobStore;
  feed: ChangeFeed;
  registry: ProcessorRegistry;
  /** The queues jobs run in. @default one queue per queue the registry's types name, with default limits */
  queues?: Queues;
  artifacts: ArtifactStorage;
  /** The error rate of simulated jobs whose input gives none. */
  simulateErrorRate: number;
  /** Attempts of a job whose request gives no `max_attempts`. */
  defaultMaxAttempts: number;
  /**
   * Serve reads of recently changed jobs from memory. Only for a store that
   * no other process writes to (SQLite); off for PostgreSQL.
   * @default false
   */
  readCache?: boolean;
  /** Which webhook URLs jobs may name, and whether a tenant has a secret to sign with. @default none allowed */
  webhooks?: { policy: AddressPolicy; hasSecret: (tenant: string) => boolean };
  /** How large a caller's input may be (data: URLs, the whole input). @default no limit */
  inputLimits?: InputLimits;
  /**
   * Checks that a tenant has the uploaded files a job's input names (404
   * `file_not_found` otherwise). @default none exist: inputs that name a file are refused
   */
  files?: { requireAll(tenant: string, ids: Iterable<string>): Promise<void> };
}

/**
 * Every change to a job goes through here: HTTP routes and workers call the
 * service, the service calls the store and publishes each change it made on
 * the feed, once. Nothing else writes jobs. Callers get operations, never the
 * store, feed or artifact storage behind them.
 */
export class JobService {
  readonly #store: JobStore;
  readonly #feed: ChangeFeed;
  readonly #registry: ProcessorRegistry;
  readonly #queues: Queues;
  readonly #artifacts: ArtifactStorage;
  readonly #simulateErrorRate: number;
  readonly #defaultMaxAttempts: number;
  readonly #closing = new AbortController();
  readonly #cache: JobCache | null;
  readonly #webhooks: NonNullable<JobServiceOptions['webhooks']>;
  readonly #inputLimits: InputLimits;
  readonly #files: NonNullable<JobServiceOptions['files']>;
  /** Called with every change this process makes (metrics). */
  onChange: ((job: StoredJob) => void) | null = null;
  /** Called when a queue is resumed here (to wake this process's workers at once). */
  onQueueResumed: ((queue: string) => void) | null = null;
  /** Called when a change here may have written webhook deliveries (to wake the dispatcher). */
  onWebhook: (() => void) | null = null;
  /**
   * Called at submit with a type the registry does not have, before it is
   * refused: remote workers may have declared it on another node (see RemoteTypes).
   */
  onUnknownType: ((type: string) => Promise<void>) | null = null;

  constructor({
    store,
    feed,
    registry,
    queues = Queues.build(registry, {
      cpuConcurrency: 1,
      waitConcurrency: 500,
      specs: [],
      tenantConcurrency: 0,
    }),
    artifacts,
    simulateErrorRate,
    defaultMaxAttempts,
    readCache = false,
    webhooks = { policy: {}, hasSecret: () => false },
    inputLimits = { maxDataUrlSize: Number.POSITIVE_INFINITY, maxInputSize: Number.POSITIVE_INFINITY },
    files = noFiles,
  }: JobServiceOptions) {
    this.#files = files;
    this.#webhooks = webhooks;
    this.#inputLimits = inputLimits;
    // Every waiter listens on it: thousands of long-polls are normal, not a leak.
    setMaxListeners(0, this.#closing.signal);
    this.#cache = readCache ? new JobCache() : null;
    this.#store = store;
    this.#feed = feed;
    this.#registry = registry;
    this.#queues = queues;
    this.#artifacts = artifacts;
    this.#simulateErrorRate = simulateErrorRate;
    this.#defaultMaxAttempts = defaultMaxAttempts;
  }

  #publish<T extends StoredJob | null>(job: T): T {
    if (job) {
      this.#cache?.changed(job);
      this.#feed.publish(job);
      this.onChange?.(job);
      if (job.webhook) this.onWebhook?.();
    }
    return job;
  }

  /** Release every waiter at once (each answers with the job as it is): the server is closing. */
  shutdown(): void {
    this.#closing.abort();
  }

  /** Throws when the store cannot be reached. */
  ping(): Promise<void> {
    return this.#store.ping();
  }

  /** How this process hears of changes made elsewhere (see {@link FeedState}). */
  get feedState(): FeedState {
    return this.#feed.state;
  }

  /**
   * Validate and store a new job. With an idempotency key, the same key and
   * request give back the first job (`replayed`); the same key with another
   * request is a conflict.
   */
  async create(
    tenant: string,
    params: CreateJobParams,
    options: CreateOptions & {
      /** The id to give a job created without one (a caller that watches it first picks it). */
      id?: string | undefined;
    } = {},
  ): Promise<{ job: StoredJob; replayed: boolean }> {
    const job = await this.#newJob(tenant, params, options);
    return this.#created(await this.#store.insert(job), options.idempotencyKey);
  }

  /**
   * Validate and store many jobs at once, in one write: each item is judged
   * as {@link create} would judge it, and one that is refused (invalid, a
   * taken id, an idempotency conflict) keeps none of the others out. The
   * outcomes are in the order of `items`.
   */
  async createMany(
    tenant: string,
    items: readonly { params: CreateJobParams; idempotencyKey?: string | undefined }[],
    { origin }: Pick<CreateOptions, 'origin'> = {},
  ): Promise<BatchOutcome[]> {
    const prepared = await Promise.all(
      items.map(({ params, idempotencyKey }) =>
        this.#newJob(tenant, params, { idempotencyKey, origin }).catch((err: unknown) => refused(err)),
      ),
    );
    const valid = prepared.filter((p): p is NewJob => !(p instanceof ApiError));
    const results = await this.#store.insertMany(valid);
    let next = 0;
    return prepared.map((p, i): BatchOutcome => {
      if (p instanceof ApiError) return { ok: false, error: p };
      try {
        return { ok: true, ...this.#created(results[next++]!, items[i]!.idempotencyKey) };
      } catch (err) {
        return { ok: false, error: refused(err) };
      }
    });
  }

  /** What the store is asked to insert for `params`, or an {@link ApiError} saying what is wrong with them. */
  async #newJob(
    tenant: string,
    params: CreateJobParams,
    { idempotencyKey, id = params.id ?? newJobId(), origin }: CreateOptions & { id?: string | undefined },
  ): Promise<NewJob> {
    // Checked here as well as by the routes, so that no way in (a seed route, an embedding program) stores a bad id.
    if (!isValidJobId(id)) {
      throw new ApiError('invalid_job_id', { message: `The job id is not one: use ${JOB_ID_RULE}.` });
    }
    checkDataUrls(params.input, this.#inputLimits);
    // An input over --max-input-size is 413 however else it is wrong. Measured here only when it is
    // refused: an accepted one is measured as stored, once, below.
    const refuse = (error: ApiError): never => {
      storedInputJson(params.input ?? {}, this.#inputLimits);
      throw error;
    };
    if (!this.#registry.has(params.type) && this.onUnknownType) await this.onUnknownType(params.type);
    if (!this.#registry.has(params.type)) {
      refuse(
        new ApiError('unknown_job_type', {
          message: `No job type "${params.type}"; registered types: ${this.#registry.types.join(', ')}.`,
        }),
      );
    }
    const checked = this.#registry.checkInput(params.type, params.input ?? {}, {
      simulateErrorRate: this.#simulateErrorRate,
    });
    if (!checked.ok) {
      return refuse(new ApiError('invalid_input', { message: checked.message, details: checked.details }));
    }
    // Rewrites an absolute URL of this server's file to its path: serialised after.
    const fileIds = fileRefsOf(this.#registry.get(params.type)?.fileInputs ?? [], checked.input, origin);
    const inputJson = storedInputJson(checked.input, this.#inputLimits);
    if (fileIds.length > 0) await this.#files.requireAll(tenant, fileIds);
    const queue = this.#queues.queueFor(params.type, params.queue);
    const priority = params.priority ?? 0;
    if (!Number.isInteger(priority) || priority < -100 || priority > 100) {
      throw new ApiError('invalid_priority', {
        message: `priority ${priority} is not a whole number from -100 to 100.`,
      });
    }
    // One clock reading for created_at and run_at: a job due in an hour is due exactly an hour after it was made.
    const now = Date.now();
    const runAt = startTime(params, now);
    let webhook: StoredJob['webhook'] = null;
    if (params.webhook) {
      // A body of another API's format is sent unsigned when there is no secret: that API never signed.
      if (!params.webhook.format && !this.#webhooks.hasSecret(tenant)) {
        throw new ApiError('webhooks_not_configured');
      }
      webhook = await checkWebhook(params.webhook, this.#webhooks.policy);
    }
    return {
      id: params.id ?? id,
      tenant,
      type: params.type,
      queue: queue.name,
      priority,
      runAt,
      now,
      input: checked.input,
      inputJson,
      metadata: params.metadata ?? {},
      max_attempts: params.max_attempts ?? this.#defaultMaxAttempts,
      webhook: webhook ?? undefined,
      idempotency:
        idempotencyKey === undefined ? undefined : { key: idempotencyKey, hash: requestHash(params) },
    };
  }

  /** The job an insert gave (published when it is new), or the conflict it met as an {@link ApiError}. */
  #created(result: InsertResult, idempotencyKey: string | undefined): { job: StoredJob; replayed: boolean } {
    switch (result.outcome) {
      case 'created':
        return { job: this.#publish(result.job), replayed: false };
      case 'replayed':
        return { job: result.job, replayed: true };
      case 'idempotency_conflict':
        throw new ApiError('idempotency_conflict', {
          message: `Idempotency-Key "${idempotencyKey}" was first used for job ${result.job.id} with a different request body.`,
        });
      case 'id_exists':
        throw new ApiError('job_exists', { message: `A job with id "${result.job.id}" already exists.` });
    }
  }

  async get(tenant: string, id: string): Promise<StoredJob> {
    const job = await this.find(tenant, id);
    if (!job) throw notFound(id);
    return job;
  }

  /**
   * The job, or null when there is none. From memory when the read cache
   * holds it and it is not queued: a job read once is kept there with every change this
   * process makes to it, and the cache is on only when no other process writes the store.
   */
  async find(tenant: string, id: string): Promise<StoredJob | null> {
    const cached = this.#cached(tenant, id);
    if (cached) return cached;
    const epoch = this.#cache?.epoch ?? 0;
    const job = await this.#store.get(tenant, id);
    if (job) this.#cache?.fill(job, epoch);
    return job;
  }

  /**
   * Many of a tenant's jobs by id, in one store read for those the read cache
   * does not hold (as {@link find}); ids with no job are left out. A queued
   * job's place is not counted here (null), as in every read of many jobs.
   */
  async findMany(tenant: string, ids: readonly string[]): Promise<Map<string, StoredJob>> {
    const found = new Map<string, StoredJob>();
    const missed: string[] = [];
    for (const id of ids) {
      const cached = this.#cached(tenant, id);
      if (cached) found.set(id, cached);
      else missed.push(id);
    }
    const epoch = this.#cache?.epoch ?? 0;
    for (const job of await this.#store.getMany(tenant, missed)) {
      this.#cache?.fill(job, epoch);
      found.set(job.id, job);
    }
    return found;
  }

  /** The read cache's snapshot of a job, unless it is queued: a queued job's place moves with every job ahead of it, and is counted afresh. */
  #cached(tenant: string, id: string): StoredJob | undefined {
    const cached = this.#cache?.get(tenant, id);
    return cached && cached.status !== 'queued' ? cached : undefined;
  }

  list(filter: ListFilter): Promise<StoredJob[]> {
    return this.#store.list(filter);
  }

  /** How many jobs wait in `queue` now (due or scheduled), of every tenant. */
  async queuedCount(queue: string): Promise<number> {
    const [counts] = await this.#store.queueCounts({ queue });
    return counts ? counts.queued + counts.scheduled : 0;
  }

  async logs(tenant: string, id: string, opts: { after?: number; limit: number }) {
    const lines = await this.#store.logs(tenant, id, opts);
    if (!lines) throw notFound(id);
    return lines;
  }

  /** Idempotent: canceling a canceled job returns it; a completed or failed one is a conflict. */
  async cancel(tenant: string, id: string): Promise<StoredJob> {
    const result = await this.#store.cancel(tenant, id);
    switch (result.outcome) {
      case 'not_found':
        throw notFound(id);
      case 'finished':
        throw new ApiError('job_not_cancelable', {
          message: `Job ${id} already ${result.job.status} and cannot be canceled.`,
        });
      case 'already_canceled':
        return result.job;
      case 'canceled':
        return this.#publish(result.job);
    }
  }

  async delete(tenant: string, id: string): Promise<StoredJob> {
    const result = await this.#store.delete(tenant, id);
    switch (result.outcome) {
      case 'not_found':
        throw notFound(id);
      case 'not_terminal':
        throw new ApiError('job_not_terminal', {
          message: `Job ${id} is still running or queued; cancel it first, then delete it.`,
        });
      case 'deleted':
        this.#cache?.delete(tenant, id);
        await this.#artifacts.removeJob(tenant, id);
        return result.job;
    }
  }

  /**
   * A result file of a job: the job (job_not_found when there is none), and
   * the file when the job completed listing an artifact of that name in
   * `output.artifacts` and the file is there, else null. A file an unfinished
   * attempt put (or one that crashed before it could finish) is no result:
   * the attempt that completes may replace it.
   */
  async artifact(
    tenant: string,
    id: string,
    name: string,
  ): Promise<{ job: StoredJob; file: StoredArtifact | null }> {
    const job = await this.get(tenant, id);
    const listed = isValidArtifactName(name) && listsArtifact(job, name);
    return { job, file: listed ? await this.#artifacts.stat(tenant, id, name) : null };
  }

  /** Keep a file a running job made as its artifact `name` (the processor then lists it in its output). */
  putArtifact(tenant: string, id: string, name: string, fromPath: string): Promise<StoredArtifact> {
    return this.#artifacts.put(tenant, id, name, fromPath);
  }

  /** Start following a job's changes (before creating or reading it, so none is missed). */
  watch(tenant: string, id: string): JobWatch {
    return new JobWatch(this.#feed, tenant, id, this.#closing.signal);
  }

  /** Every change to every job, as this process hears of it; returns the function that stops listening. */
  subscribeAll(listener: JobListener): () => void {
    return this.#feed.subscribeAll(listener);
  }

  /** Jobs queued (created, retried, released, recovered) here or elsewhere: a hint to look for work. */
  subscribeQueued(listener: QueuedListener): () => void {
    return this.#feed.subscribeQueued(listener);
  }

  /**
   * Resolve with the job once its version is above `since` (default: its
   * version now) or it is terminal, or with the job as it is when `timeoutMs`
   * passes. Listens on the feed; never polls the store.
   */
  async waitForChange(
    tenant: string,
    id: string,
    {
      since,
      timeoutMs,
      signal,
    }: { since?: number | undefined; timeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<StoredJob> {
    const watch = this.watch(tenant, id);
    try {
      const current = await this.get(tenant, id);
      const after = since ?? current.version;
      if (current.version > after || isTerminal(current.status)) return current;
      return (await watch.next(after, { timeoutMs, signal })) ?? (await this.get(tenant, id));
    } finally {
      watch.close();
    }
  }

  /** A job's webhook deliveries, oldest first. */
  async deliveries(tenant: string, id: string): Promise<WebhookDelivery[]> {
    const deliveries = await this.#store.listDeliveries(tenant, id);
    if (!deliveries) throw notFound(id);
    return deliveries;
  }

  /** Send a delivery again now, whatever became of it. */
  async retryDelivery(tenant: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
    const delivery = await this.#store.retryDelivery(tenant, id, deliveryId);
    if (!delivery) {
      if (!(await this.#store.get(tenant, id))) throw notFound(id);
      throw new ApiError('delivery_not_found', {
        message: `Job ${id} has no webhook delivery "${deliveryId}".`,
      });
    }
    this.onWebhook?.();
    return delivery;
  }

  // The worker side. Each call is fenced by the lease token in the store.

  async claim(opts: ClaimOptions): Promise<Lease[]> {
    const leases = await this.#store.claim(opts);
    for (const lease of leases) this.#publish(lease.job);
    return leases;
  }

  heartbeat(token: string, leaseMs: number): Promise<boolean> {
    return this.#store.heartbeat(token, leaseMs);
  }

  /** Extend many leases in one write; the tokens still held. */
  heartbeatMany(tokens: readonly string[], leaseMs: number): Promise<Set<string>> {
    return this.#store.heartbeatMany(tokens, leaseMs);
  }

  async report(token: string, patch: ProgressPatch): Promise<StoredJob | null> {
    return this.#publish(await this.#store.report(token, patch));
  }

  async finish(
    token: string,
    outcome: 'completed' | 'failed',
    opts: FinishOptions,
  ): Promise<StoredJob | null> {
    return this.#publish(await this.#store.finish(token, outcome, opts));
  }

  async release(token: string): Promise<StoredJob | null> {
    return this.#publish(await this.#store.release(token));
  }

  /** The job running under a lease token; null when the lease ended. */
  leased(token: string): Promise<StoredJob | null> {
    return this.#store.leased(token);
  }

  /** Running jobs whose lease owner begins with `ownerPrefix`. */
  runningOf(ownerPrefix: string): Promise<HeldJob[]> {
    return this.#store.runningOf(ownerPrefix);
  }

  /** The earliest time a queued job of `queue` may be claimed; null when none is queued. */
  nextRunAt(queue: string): Promise<number | null> {
    return this.#store.nextRunAt(queue);
  }

  /** The queues, with every tenant's counts or only `tenant`'s. */
  async queues({ tenant }: { tenant?: string | undefined } = {}): Promise<QueueView[]> {
    return this.#views(this.#queues.all, { tenant });
  }

  async queue(name: string, { tenant }: { tenant?: string | undefined } = {}): Promise<QueueView> {
    const queue = this.#queues.get(name);
    if (!queue) throw queueNotFound(name);
    const [view] = await this.#views([queue], { tenant, queue: name });
    return view!;
  }

  /** `queues` with their state and counts; `queue` narrows what the store counts to that one. */
  async #views(
    queues: readonly QueueDef[],
    { tenant, queue }: { tenant?: string | undefined; queue?: string | undefined },
  ): Promise<QueueView[]> {
    const [paused, counts] = await Promise.all([
      this.#store.pausedQueues(),
      this.#store.queueCounts({ tenant, queue }),
    ]);
    const byQueue = new Map(counts.map((c) => [c.queue, c]));
    return queues.map((q) => ({
      queue: q,
      paused: paused.includes(q.name),
      counts: byQueue.get(q.name) ?? emptyCounts(q.name),
    }));
  }

  /** Pause (running jobs finish, nothing new starts) or resume a queue, on every process. */
  async setPaused(
    name: string,
    paused: boolean,
    opts: { tenant?: string | undefined } = {},
  ): Promise<QueueView> {
    if (!this.#queues.get(name)) throw queueNotFound(name);
    await this.#store.setPaused(name, paused);
    if (!paused) this.onQueueResumed?.(name);
    return this.queue(name, opts);
  }

  /** The owners of current leases (to find those held by dead local processes). */
  leaseOwners(): Promise<string[]> {
    return this.#store.leaseOwners();
  }

  async recover(opts: { owners?: readonly string[] } = {}): Promise<StoredJob[]> {
    const jobs = await this.#store.recover(opts);
    for (const job of jobs) this.#publish(job);
    return jobs;
  }

  /** Delete terminal jobs (and their artifacts) that finished before the cutoff. */
  async purge(finishedBefore: number, limit = 500): Promise<number> {
    const removed = await this.#store.purge({ finishedBefore, limit });
    for (const { tenant, id } of removed) {
      this.#cache?.delete(tenant, id);
      await this.#artifacts.removeJob(tenant, id);
    }
    return removed.length;
  }
}

function queueNotFound(name: string): ApiError {
  return new ApiError('queue_not_found', { message: `No queue "${name}"; see GET /v1/queues.` });
}

function emptyCounts(queue: string): QueueCounts {
  return { queue, queued: 0, scheduled: 0, running: 0, oldestDueAt: null, finishedLastMinute: 0 };
}

/** When a new job may start, from `run_at` or `run_in_seconds` (now when neither is given). */
function startTime({ run_at, run_in_seconds }: CreateJobParams, now: number): number {
  if (run_at !== undefined && run_in_seconds !== undefined) {
    throw new ApiError('invalid_run_at', { message: 'Give run_at or run_in_seconds, not both.' });
  }
  if (run_in_seconds !== undefined) {
    if (!Number.isFinite(run_in_seconds) || run_in_seconds < 0 || run_in_seconds > RUN_AT_AHEAD_MS / 1000) {
      throw new ApiError('invalid_run_at', {
        message: 'run_in_seconds is a number of seconds from 0 to 31536000.',
      });
    }
    return now + Math.round(run_in_seconds * 1000);
  }
  if (run_at === undefined) return now;
  const at = ISO_TIME.test(run_at) ? Date.parse(run_at) : Number.NaN;
  if (!Number.isFinite(at)) {
    throw new ApiError('invalid_run_at', {
      message: `run_at "${run_at}" is not an ISO 8601 time with a zone, e.g. 2030-01-31T09:00:00Z.`,
    });
  }
  if (at < now - RUN_AT_PAST_MS) {
    throw new ApiError('invalid_run_at', { message: `run_at ${run_at} is more than 60 s in the past.` });
  }
  if (at > now + RUN_AT_AHEAD_MS) {
    throw new ApiError('invalid_run_at', { message: `run_at ${run_at} is more than 365 days ahead.` });
  }
  return Math.max(at, now);
}

function notFound(id: string): ApiError {
  return new ApiError('job_not_found', { message: `No job with id "${id}".` });
}

/** Whether the job completed with an artifact of this name in `output.artifacts`. */
function listsArtifact(job: StoredJob, name: string): boolean {
  const listed = job.output?.artifacts;
  return (
    job.status === 'completed' &&
    Array.isArray(listed) &&
    listed.some((a) => (a as { name?: unknown } | null)?.name === name)
  );
}

/** A hash of the request that created a job, for Idempotency-Key checks; key order does not matter. */
export function requestHash(params: CreateJobParams): string {
  return createHash('sha256').update(canonicalJson(params)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An item's refusal as an {@link ApiError}; anything else (the store failing) fails the whole batch. */
function refused(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  throw err;
}

/** A JobService without uploaded files: an input naming one names a file that does not exist. */
const noFiles: NonNullable<JobServiceOptions['files']> = {
  async requireAll(_tenant, ids) {
    for (const id of ids)
      throw new ApiError('file_not_found', { message: `No file ${id}: this server keeps no uploads.` });
  },
};

/**
 * The uploaded files the `fields` of `input` name. An absolute URL of a file on
 * this server (`origin`) is rewritten in place to the file's content path, so
 * that a worker on any node reads it from storage rather than over HTTP.
 */
function fileRefsOf(fields: readonly string[], input: JsonObject, origin: string | undefined): string[] {
  const ids: string[] = [];
  for (const field of fields) {
    const value = input[field];
    if (typeof value !== 'string') continue;
    const id = fileIdOf(value, origin);
    if (id === null) continue;
    ids.push(id);
    if (!isFileId(value)) input[field] = fileContentPath(id);
  }
  return ids;
}
