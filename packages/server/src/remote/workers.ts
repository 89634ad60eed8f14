import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isValidArtifactName } from '../artifacts/storage.js';
import { ApiError } from '../errors.js';
import { BodyTooLarge, writeLimited } from '../files/write-limited.js';
import { backoff } from '../internal/backoff.js';
import type { Logger } from '../internal/logger.js';
import type { JobError, JsonObject, StoredJob } from '../jobs/model.js';
import type { JobService } from '../jobs/service.js';
import type { ArtifactInfo } from '../processors/processor.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import type { QueueDef, Queues } from '../queues/queues.js';
import type { HeldJob, JobStore, Lease, ProgressPatch, WorkerRecord } from '../store/store.js';
import type { RemoteTypes, TypeDeclaration } from './remote-types.js';

/** Lease owners of remote workers begin with this; the rest is the worker's id. */
export const REMOTE_OWNER_PREFIX = 'worker:';
/** The longest a claim may wait for a job. */
export const MAX_CLAIM_WAIT_MS = 60_000;
/** A worker unseen this long is forgotten. */
const FORGET_AFTER_MS = 86_400_000;
/** How often a waiting claim looks for work no change told it of (a limit freed, a job due). */
const CLAIM_POLL_MS = 1000;

export interface ClaimRequest {
  maxJobs: number;
  waitMs: number;
  types?: readonly string[] | undefined;
}

/** A worker's report on a job, what a heartbeat or an outcome carries along: the store's patch, with the eta in seconds from now. */
export type WorkerReport = Omit<ProgressPatch, 'eta'> & { eta_seconds?: number | null | undefined };

/** A worker as GET /v1/workers shows it. */
export interface WorkerView {
  worker: WorkerRecord;
  live: boolean;
  running: HeldJob[];
}

/** Where a job a worker holds is: its tenant and id, from the ref a claim gave (`tenant:id`). */
interface JobRef {
  tenant: string;
  id: string;
}

/**
 * The server's side of the remote-worker protocol (docs/workers.md): workers
 * register with the types they serve, claim with a long-poll woken by the
 * change feed, and report, upload, complete and fail under their lease
 * token, through the same JobService calls as the in-process pool, so the
 * store's fences, the feed, SSE and webhooks treat their jobs alike.
 */
export class WorkerService {
  readonly #store: JobStore;
  readonly #service: JobService;
  readonly #registry: ProcessorRegistry;
  readonly #queues: Queues;
  readonly #types: RemoteTypes;
  readonly #leaseMs: number;
  readonly #retry: { baseMs: number; maxMs: number };
  readonly #tempRoot: string;
  readonly #maxArtifactBytes: number;
  readonly #log: Logger;
  /** Workers this node has seen, and when it last recorded that they were seen. */
  readonly #known = new Map<string, { worker: WorkerRecord; touchedAt: number }>();
  readonly #closing = new AbortController();
  #purgeTimer: NodeJS.Timeout | null = null;

  constructor(opts: {
    store: JobStore;
    service: JobService;
    registry: ProcessorRegistry;
    queues: Queues;
    types: RemoteTypes;
    leaseMs: number;
    retry?: { baseMs?: number; maxMs?: number };
    tempRoot: string;
    maxArtifactBytes: number;
    logger: Logger;
  }) {
    this.#store = opts.store;
    this.#service = opts.service;
    this.#registry = opts.registry;
    this.#queues = opts.queues;
    this.#types = opts.types;
    this.#leaseMs = opts.leaseMs;
    this.#retry = { baseMs: opts.retry?.baseMs ?? 1000, maxMs: opts.retry?.maxMs ?? 60_000 };
    this.#tempRoot = opts.tempRoot;
    this.#maxArtifactBytes = opts.maxArtifactBytes;
    this.#log = opts.logger;
  }

  /** How often a worker should send a heartbeat: three per lease. */
  get heartbeatMs(): number {
    return Math.max(1000, Math.floor(this.#leaseMs / 3));
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  start(): void {
    this.#purgeTimer = setInterval(() => {
      const cutoff = Date.now() - FORGET_AFTER_MS;
      for (const [id, known] of this.#known) if (known.worker.lastSeenAt < cutoff) this.#known.delete(id);
      this.#store
        .purgeWorkers(cutoff)
        .catch((err: unknown) => this.#log.warn({ err }, 'forgetting workers unseen for a day failed'));
    }, 60_000);
    this.#purgeTimer.unref();
  }

  /** Answer every waiting claim now (empty): the server is closing. */
  stop(): void {
    this.#closing.abort();
    if (this.#purgeTimer) clearInterval(this.#purgeTimer);
  }

  async register(
    keyId: string | null,
    { name, types }: { name?: string | undefined; types: readonly TypeDeclaration[] },
  ): Promise<WorkerRecord> {
    const now = Date.now();
    const declared = this.#types.check(types, now);
    const worker: WorkerRecord = {
      id: `wrk_${randomBytes(12).toString('base64url')}`,
      name: name ?? 'worker',
      keyId,
      types: declared.map((t) => t.type),
      registeredAt: now,
      lastSeenAt: now,
    };
    await this.#store.registerWorker(worker, declared);
    this.#types.apply(declared);
    this.#known.set(worker.id, { worker, touchedAt: now });
    return worker;
  }

  /** The worker `id` of the key `keyId`: 404 `worker_not_found` for another key's or an unknown one. */
  async worker(id: string, keyId: string | null): Promise<WorkerRecord> {
    let known = this.#known.get(id);
    if (!known) {
      const worker = await this.#store.getWorker(id);
      if (worker) {
        known = { worker, touchedAt: 0 };
        this.#known.set(id, known);
      }
    }
    if (!known || known.worker.keyId !== keyId) {
      throw new ApiError('worker_not_found', {
        message: `No worker "${id}" for this API key; register again.`,
      });
    }
    await this.#seen(known);
    return known.worker;
  }

  /** Record a sign of life at most every few seconds: enough to tell live workers from gone ones. */
  async #seen(known: { worker: WorkerRecord; touchedAt: number }): Promise<void> {
    const now = Date.now();
    if (now - known.touchedAt < Math.min(5000, this.heartbeatMs)) return;
    known.touchedAt = now;
    if (!(await this.#store.touchWorker(known.worker.id, now))) {
      this.#known.delete(known.worker.id);
      throw new ApiError('worker_not_found', {
        message: `Worker "${known.worker.id}" was forgotten (unseen for a day, or it left); register again.`,
      });
    }
    known.worker.lastSeenAt = now;
  }

  async remove(worker: WorkerRecord): Promise<void> {
    this.#known.delete(worker.id);
    await this.#store.removeWorker(worker.id);
  }

  /** Every known worker, whether it is live, and the jobs it holds. */
  async list(): Promise<WorkerView[]> {
    const [workers, held] = await Promise.all([
      this.#store.listWorkers(),
      this.#service.runningOf(REMOTE_OWNER_PREFIX),
    ]);
    const now = Date.now();
    return workers.map((worker) => ({
      worker,
      live: this.#isLive(worker, now),
      running: held.filter((h) => h.owner === ownerOf(worker)),
    }));
  }

  /** The remote types some live worker serves. */
  async servedTypes(): Promise<Set<string>> {
    const now = Date.now();
    const served = new Set<string>();
    for (const worker of await this.#store.listWorkers()) {
      if (this.#isLive(worker, now)) for (const type of worker.types) served.add(type);
    }
    return served;
  }

  #isLive(worker: WorkerRecord, now: number): boolean {
    return now - worker.lastSeenAt <= 3 * this.heartbeatMs;
  }

  /**
   * Up to `maxJobs` jobs of the worker's types, each under a new lease: at
   * once when there are some, else as soon as one is queued, or none after
   * `waitMs`. Leases taken for a caller that went away meanwhile are given back.
   */
  async claim(worker: WorkerRecord, request: ClaimRequest, signal: AbortSignal): Promise<Lease[]> {
    const queues = this.#claimedQueues(worker, request.types);
    const names = new Set(queues.map((q) => q.name));
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    const deadline = Date.now() + request.waitMs;
    // Listening from before the first look: a job queued while the store is asked is not missed.
    let queued = false;
    let wake: (() => void) | null = null;
    const unsubscribe = this.#service.subscribeQueued((job) => {
      if (!names.has(job.queue)) return;
      queued = true;
      wake?.();
    });
    try {
      for (;;) {
        if (stop.aborted) return [];
        queued = false;
        const leases = await this.#claimOnce(worker, queues, request.maxJobs);
        if (stop.aborted && leases.length > 0) {
          await this.#giveBack(leases);
          return [];
        }
        if (leases.length > 0 || stop.aborted || Date.now() >= deadline) return leases;
        if (!queued) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              stop.removeEventListener('abort', done);
              wake = null;
              resolve();
            };
            const timer = setTimeout(done, Math.max(0, Math.min(deadline - Date.now(), CLAIM_POLL_MS)));
            stop.addEventListener('abort', done, { once: true });
            wake = done;
          });
        }
        const known = this.#known.get(worker.id);
        if (known) await this.#seen(known);
      }
    } finally {
      unsubscribe();
    }
  }

  /** The queues a claim takes from: those of the named (or all declared) types, each served whole by the worker. */
  #claimedQueues(worker: WorkerRecord, types: readonly string[] | undefined): QueueDef[] {
    const wanted = types ?? worker.types;
    for (const type of wanted) {
      if (!worker.types.includes(type)) {
        throw new ApiError('type_not_declared', {
          message: `This worker declared ${worker.types.join(', ')}, not ${type}; register again to serve it.`,
        });
      }
    }
    const queues = new Map<string, QueueDef>();
    for (const type of wanted) {
      if (!this.#registry.isRemote(type)) continue;
      const queue = this.#queues.place(type);
      const others = queue.types.filter((t) => !wanted.includes(t));
      if (others.length > 0) {
        throw new ApiError('queue_not_served', {
          message: `Queue "${queue.name}" also holds ${others.join(', ')}, which this claim does not serve; claim those types too, or declare ${type} in a queue of its own.`,
        });
      }
      queues.set(queue.name, queue);
    }
    return [...queues.values()];
  }

  async #claimOnce(worker: WorkerRecord, queues: readonly QueueDef[], maxJobs: number): Promise<Lease[]> {
    const leases: Lease[] = [];
    for (const queue of queues) {
      if (leases.length >= maxJobs) break;
      leases.push(
        ...(await this.#service.claim({
          owner: ownerOf(worker),
          leaseMs: this.#leaseMs,
          queue: queue.name,
          limit: maxJobs - leases.length,
          globalLimit: queue.globalLimit,
          tenantLimit: queue.tenantLimit,
        })),
      );
    }
    return leases;
  }

  async #giveBack(leases: readonly Lease[]): Promise<void> {
    for (const { token } of leases) {
      await this.#service
        .release(token)
        .catch((err: unknown) =>
          this.#log.warn(
            { err },
            'giving back a claim whose caller went away failed; its lease will run out',
          ),
        );
    }
  }

  /**
   * A heartbeat: the report written, the lease extended. A job canceled while
   * the worker held it answers `canceled` rather than an error, so that the
   * worker stops its work.
   */
  async heartbeat(
    worker: WorkerRecord,
    ref: string,
    token: string,
    report: WorkerReport,
  ): Promise<{ canceled: boolean; leaseExpiresAt: number | null }> {
    const where = parseRef(ref);
    try {
      await this.#held(worker, where, token);
      const patch = patchOf(report);
      if (patch && !(await this.#service.report(token, patch))) throw await this.#lost(where);
      const now = Date.now();
      if (!(await this.#service.heartbeat(token, this.#leaseMs))) throw await this.#lost(where);
      return { canceled: false, leaseExpiresAt: now + this.#leaseMs };
    } catch (err) {
      if (
        err instanceof ApiError &&
        err.code === 'lease_lost' &&
        (err.details as { status?: string })?.status === 'canceled'
      )
        return { canceled: true, leaseExpiresAt: null };
      throw err;
    }
  }

  async complete(
    worker: WorkerRecord,
    ref: string,
    token: string,
    { output, ...report }: WorkerReport & { output: JsonObject },
  ): Promise<StoredJob> {
    const where = parseRef(ref);
    await this.#held(worker, where, token);
    const job = await this.#service.finish(token, 'completed', { output, report: patchOf(report) ?? {} });
    return job ?? this.#throwLost(where);
  }

  async fail(
    worker: WorkerRecord,
    ref: string,
    token: string,
    {
      error,
      retry = false,
      retry_in_seconds,
      ...report
    }: WorkerReport & { error: JobError; retry?: boolean | undefined; retry_in_seconds?: number | undefined },
  ): Promise<StoredJob> {
    const where = parseRef(ref);
    const held = await this.#held(worker, where, token);
    const retryAt = retry
      ? Date.now() +
        (retry_in_seconds === undefined ? backoff(held.attempt - 1, this.#retry) : retry_in_seconds * 1000)
      : undefined;
    const job = await this.#service.finish(token, 'failed', {
      error: { code: error.code, message: error.message },
      retryAt,
      report: patchOf(report) ?? {},
    });
    return job ?? this.#throwLost(where);
  }

  async release(worker: WorkerRecord, ref: string, token: string): Promise<StoredJob> {
    const where = parseRef(ref);
    await this.#held(worker, where, token);
    return (await this.#service.release(token)) ?? this.#throwLost(where);
  }

  /** Stream an upload into the job's artifacts, up to the artifact limit. */
  async putArtifact(
    worker: WorkerRecord,
    ref: string,
    token: string,
    { name, contentType, body }: { name: string; contentType: string; body: Readable },
  ): Promise<ArtifactInfo> {
    const where = parseRef(ref);
    if (!isValidArtifactName(name)) {
      throw new ApiError('invalid_artifact_name', {
        message: `"${name}" is not an artifact name: 1-128 of A-Z a-z 0-9 . _ -, not starting with a dot.`,
      });
    }
    await this.#held(worker, where, token);
    await mkdir(this.#tempRoot, { recursive: true });
    const temp = join(this.#tempRoot, `artifact-${randomUUID()}`);
    try {
      await writeLimited(body, temp, { maxBytes: this.#maxArtifactBytes });
      const stored = await this.#service.putArtifact(where.tenant, where.id, name, temp);
      return {
        name,
        content_type: contentType,
        size: stored.size,
        url: `/v1/jobs/${encodeURIComponent(where.id)}/artifacts/${encodeURIComponent(name)}`,
      };
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        throw new ApiError('artifact_too_large', {
          message: `The artifact is larger than this server accepts (${this.#maxArtifactBytes} bytes, --max-file-size).`,
        });
      }
      throw err;
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** The job `where` names, running under `token` for this worker; 409 `lease_lost` otherwise. */
  async #held(worker: WorkerRecord, where: JobRef, token: string): Promise<StoredJob> {
    const job = await this.#service.leased(token);
    if (job && job.tenant === where.tenant && job.id === where.id && job.lease_owner === ownerOf(worker))
      return job;
    throw await this.#lost(where, job !== null && (job.tenant !== where.tenant || job.id !== where.id));
  }

  async #throwLost(where: JobRef): Promise<never> {
    throw await this.#lost(where);
  }

  /** Why a call about the job `where` is refused: it is gone, or the lease is no longer the caller's. */
  async #lost(where: JobRef, otherJob = false): Promise<ApiError> {
    const job = await this.#service.find(where.tenant, where.id);
    if (!job) return new ApiError('job_not_found', { message: `No job ${where.tenant}:${where.id}.` });
    const why = otherJob
      ? 'the token is the lease of another job'
      : job.status === 'canceled'
        ? 'the job was canceled'
        : job.status === 'running'
          ? 'another worker holds the job now'
          : job.status === 'queued'
            ? 'the lease ended (it expired, or was released) and the job was queued again'
            : `the job already ${job.status}`;
    return new ApiError('lease_lost', {
      message: `The lease token is not the current lease of job ${where.tenant}:${where.id}: ${why}.`,
      details: { status: job.status },
    });
  }
}

/** The lease owner that names a worker in its jobs. */
export function ownerOf(worker: WorkerRecord): string {
  return `${REMOTE_OWNER_PREFIX}${worker.id}`;
}

/** `tenant:id`: a tenant has no colon, so the first one splits it. */
export function jobRef(job: Pick<StoredJob, 'tenant' | 'id'>): string {
  return `${job.tenant}:${job.id}`;
}

function parseRef(ref: string): JobRef {
  const colon = ref.indexOf(':');
  if (colon <= 0 || colon === ref.length - 1) {
    throw new ApiError('invalid_lease', {
      message: `"${ref}" is not a job ref: use the ref of the claim, tenant:id.`,
    });
  }
  return { tenant: ref.slice(0, colon), id: ref.slice(colon + 1) };
}

/** The store's patch for a report; null when it reports nothing. */
function patchOf({ progress, stage, message, eta_seconds, logs }: WorkerReport): ProgressPatch | null {
  const patch: ProgressPatch = {};
  if (progress !== undefined) patch.progress = progress;
  if (stage !== undefined) patch.stage = stage;
  if (message !== undefined) patch.message = message;
  if (eta_seconds !== undefined) patch.eta = eta_seconds === null ? null : Date.now() + eta_seconds * 1000;
  if (logs !== undefined && logs.length > 0) patch.logs = logs;
  return Object.keys(patch).length > 0 ? patch : null;
}
