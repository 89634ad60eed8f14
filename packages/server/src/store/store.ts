import type { JobError, JsonObject, StoredJob } from '../jobs/model.js';
import type { JobStatus } from '../jobs/states.js';
import type { DeliveryAttempt, DeliveryLease, DeliveryOutcome, WebhookDelivery } from '../webhooks/model.js';
import type { WebhookSpec } from '../webhooks/spec.js';
import type { NewFile, StoredFile } from './file-row.js';

/** What a caller gives to create a job; the store fills in the rest. */
export interface NewJob {
  id: string;
  tenant: string;
  type: string;
  /** The queue it runs in, and its priority there (higher first). */
  queue: string;
  priority: number;
  input: JsonObject;
  /** `input` as JSON text, when the caller has it already (a megabyte input is then serialised once). */
  inputJson?: string | undefined;
  metadata: JsonObject;
  max_attempts: number;
  /** When it may start, in ms; the creation time when omitted. */
  runAt?: number | undefined;
  /** Where the job's events are sent; none when omitted. */
  webhook?: WebhookSpec | undefined;
  /** Set when the caller sent an Idempotency-Key: the key and a hash of the request. */
  idempotency?: { key: string; hash: string } | undefined;
  /** Creation time in ms; defaults to now. */
  now?: number | undefined;
}

export type InsertResult =
  | { outcome: 'created'; job: StoredJob }
  /** Same Idempotency-Key and same request within the window: the job made the first time. */
  | { outcome: 'replayed'; job: StoredJob }
  | { outcome: 'idempotency_conflict'; job: StoredJob }
  | { outcome: 'id_exists'; job: StoredJob };

/**
 * A job a worker holds: the job and the fencing token only the holder knows.
 * Tokens are unique across all jobs, so fenced calls need nothing else.
 */
export interface Lease {
  job: StoredJob;
  token: string;
}

export interface ClaimOptions {
  /** Who holds the lease (shown in the job and used to recover leases of dead processes). */
  owner: string;
  leaseMs: number;
  /** The queue to take jobs from; nothing when it is paused. */
  queue: string;
  limit: number;
  /** At most this many of the queue's jobs running at once, across every process. */
  globalLimit?: number | null | undefined;
  /** At most this many of one tenant's jobs of the queue running at once, across every process. */
  tenantLimit?: number | null | undefined;
  now?: number | undefined;
}

/** Which counts {@link JobStore.queueCounts} gives: one queue's, one tenant's, as of `now`. */
export interface QueueCountsFilter {
  queue?: string | undefined;
  tenant?: string | undefined;
  now?: number | undefined;
}

/** A queue's counts, as {@link JobStore.queueCounts} gives them. */
export interface QueueCounts {
  queue: string;
  /** Queued and due now. */
  queued: number;
  /** Queued with a `run_at` in the future. */
  scheduled: number;
  running: number;
  /** The earliest time (ms) a queued, due job became due; null when none is. */
  oldestDueAt: number | null;
  finishedLastMinute: number;
}

/** A job type served by remote workers, as a worker last declared it. */
export interface RemoteType {
  type: string;
  description: string;
  inputSchema: JsonObject;
  /** The queue its jobs wait in: one that holds remote types only. */
  queue: string;
  /** When it was last declared, in ms. */
  declaredAt: number;
}

/** A remote worker as the server knows it. */
export interface WorkerRecord {
  /** `wrk_…`, made by the server at registration. */
  id: string;
  name: string;
  /** A short name of the API key that registered it (only that key may use it); null on an open server. */
  keyId: string | null;
  /** The job types it declared. */
  types: string[];
  registeredAt: number;
  lastSeenAt: number;
}

/** A running job held by a lease owner, as {@link JobStore.runningOf} lists it. */
export interface HeldJob {
  owner: string;
  tenant: string;
  id: string;
  type: string;
  /** When the attempt started, in ms. */
  startedAt: number;
}

export interface DeliveryClaimOptions {
  leaseMs: number;
  limit: number;
  now?: number | undefined;
}

/** A report from the lease holder; each field is optional and only given fields change. */
export interface ProgressPatch {
  progress?: number | undefined;
  stage?: string | null | undefined;
  message?: string | null | undefined;
  eta?: number | null | undefined;
  /** New log lines, appended in order. */
  logs?: readonly string[] | undefined;
}

export interface FinishOptions {
  /** Progress, stage, message and log lines not yet reported, written in the same change. */
  report?: ProgressPatch | undefined;
  output?: JsonObject | null | undefined;
  error?: JobError | null | undefined;
  /**
   * For a failure: when set and attempts remain, the job goes back to `queued`
   * to run again at this time (ms); otherwise it fails for good.
   */
  retryAt?: number | undefined;
  now?: number | undefined;
}

/** One finish of a batch given to {@link JobStore.finishMany}. */
export interface FinishItem {
  token: string;
  outcome: 'completed' | 'failed';
  opts: FinishOptions;
}

export interface ListFilter {
  tenant?: string | undefined;
  status?: readonly JobStatus[] | undefined;
  type?: readonly string[] | undefined;
  limit: number;
  /** Only jobs older than this seq (the cursor of the previous page). */
  beforeSeq?: number | undefined;
}

export interface LogLine {
  seq: number;
  timestamp: string;
  line: string;
}

export type CancelResult =
  | { outcome: 'canceled'; job: StoredJob }
  | { outcome: 'already_canceled'; job: StoredJob }
  | { outcome: 'finished'; job: StoredJob }
  | { outcome: 'not_found' };

/** Where a {@link JobStore.changedSince} scan resumes: after this change. */
export interface ChangeCursor {
  /** `updated_at` of the last job seen, in ms. */
  updatedAt: number;
  seq: number;
}

/**
 * Thrown by a store when its backend cannot be reached (connection refused or
 * cut, database restarting). The HTTP layer answers 503 `store_unavailable`;
 * the outcome of a write that failed this way may be unknown.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';

  constructor(message: string, { cause }: { cause?: unknown } = {}) {
    super(message, { cause });
  }
}

/** Which of a tenant's files {@link JobStore.listFiles} gives. */
export interface FileListFilter {
  tenant: string;
  limit: number;
  /** Only files older than this seq (the cursor of the previous page). */
  beforeSeq?: number | undefined;
}

export type DeleteResult =
  | { outcome: 'deleted'; job: StoredJob }
  | { outcome: 'not_terminal' }
  | { outcome: 'not_found' };

/**
 * The one storage contract. Every state change checks the transition table,
 * bumps `version` by one and returns the job as it now is (or null/an outcome
 * when nothing changed), so the caller can publish it. Methods that take a
 * lease token are fenced: they do nothing unless the job is running under
 * that very token. The contract exposes no connection or transaction type.
 *
 * A queued job's `queue_position` is a count over its queue, so only
 * {@link JobStore.get} (a read of one job) counts it; every other method
 * gives null there, so that no write or list pays for a count that grows
 * with the queue.
 */
export interface JobStore {
  /** Apply pending migrations (safe when several nodes start at once). */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;

  insert(job: NewJob): Promise<InsertResult>;
  /**
   * Insert many jobs in one transaction, each with the outcome {@link insert}
   * would give it, in the order given. A job is judged after the ones before
   * it in the list: a second job with an id or an idempotency key of an
   * earlier one gets `id_exists`, `replayed` or `idempotency_conflict`.
   * One job's conflict never keeps the others out.
   */
  insertMany(jobs: readonly NewJob[]): Promise<InsertResult[]>;
  /** A tenant's job by id (ids are unique per tenant). */
  get(tenant: string, id: string): Promise<StoredJob | null>;
  /** A tenant's jobs by id, in one read: whole, as {@link get} gives them; ids with no job are left out. */
  getMany(tenant: string, ids: readonly string[]): Promise<StoredJob[]>;
  list(filter: ListFilter): Promise<StoredJob[]>;
  /** Log lines numbered above `after`, oldest first; null when the job does not exist. */
  logs(
    tenant: string,
    id: string,
    opts: { after?: number | undefined; limit: number },
  ): Promise<LogLine[] | null>;

  /**
   * Take up to `limit` runnable jobs of a queue, each under a new lease: the
   * highest priority first; within a priority, tenants take turns (the tenant
   * with the fewest jobs running, counting those just taken, goes next); within
   * a tenant, the oldest `run_at` first. Nothing while the queue is paused, and
   * never past `globalLimit` or `tenantLimit`. Claims of one queue are serialised
   * across processes, so the limits hold however many workers claim.
   */
  claim(opts: ClaimOptions): Promise<Lease[]>;
  /** Extend a lease; false when the lease is no longer the caller's (canceled, expired, taken). */
  heartbeat(token: string, leaseMs: number, now?: number): Promise<boolean>;
  /** Progress, stage, message, eta and log lines from the lease holder. Progress never goes down. */
  report(token: string, patch: ProgressPatch, now?: number): Promise<StoredJob | null>;
  /** completed (with output), or failed (with error), or back to queued for a retry. */
  finish(token: string, outcome: 'completed' | 'failed', opts: FinishOptions): Promise<StoredJob | null>;
  /**
   * Many finishes in one transaction (on PostgreSQL, one statement), each
   * judged as {@link finish} would judge it alone: an item whose token is no
   * longer held gets null in its place and changes nothing, and never keeps
   * the others out. Results are in the order given.
   */
  finishMany(items: readonly FinishItem[]): Promise<(StoredJob | null)[]>;
  /**
   * Extend many leases in one statement (a pool's heartbeat); the tokens whose
   * lease was extended, which leaves out the ones no longer held.
   */
  heartbeatMany(tokens: readonly string[], leaseMs: number, now?: number): Promise<Set<string>>;
  /** Give a running job back to the queue without counting the attempt (graceful shutdown). */
  release(token: string, now?: number): Promise<StoredJob | null>;
  /** The job running under `token`; null when no job runs under it (a lease that ended). */
  leased(token: string): Promise<StoredJob | null>;
  /** Running jobs whose lease owner begins with `ownerPrefix`, oldest attempt first. */
  runningOf(ownerPrefix: string): Promise<HeldJob[]>;

  cancel(tenant: string, id: string, now?: number): Promise<CancelResult>;
  delete(tenant: string, id: string): Promise<DeleteResult>;

  /**
   * Running jobs whose lease expired before `now` (or, with `owners`, whose
   * holder is known dead) go back to `queued`, or to `failed` with
   * `attempts_exhausted` when no attempt is left. Safe to run on many nodes.
   */
  recover(opts: { now?: number | undefined; owners?: readonly string[] | undefined }): Promise<StoredJob[]>;
  /** Distinct owners of current leases (to find those held by dead local processes). */
  leaseOwners(): Promise<string[]>;
  /** Delete terminal jobs that finished before `finishedBefore`; returns what was deleted. */
  purge(opts: { finishedBefore: number; limit: number }): Promise<{ tenant: string; id: string }[]>;
  /** Jobs per status, for /metrics. */
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** The earliest `run_at` of a queued job of `queue`, to know when to look again; null when none is queued. */
  nextRunAt(queue: string): Promise<number | null>;
  /** Pause (no claims) or resume a queue, for every process. */
  setPaused(queue: string, paused: boolean, now?: number): Promise<void>;
  /** The paused queues. */
  pausedQueues(): Promise<string[]>;
  /** Each queue's counts (only `queue`, and only `tenant`'s jobs, when given); queues with no jobs are left out. */
  queueCounts(opts: QueueCountsFilter): Promise<QueueCounts[]>;
  /**
   * Jobs whose latest change is at or after `since` (ms, by `updated_at`),
   * oldest change first (ties by seq), after `cursor` when given: what a change
   * feed re-reads to catch up after it was cut off. Each job appears once, as
   * it is now. Read through the indexes of queued, running and finished jobs
   * (a finished job is not written again: its finish is its last change), so
   * it costs the jobs not yet finished and those finished since, not the
   * table; meant for catch-ups, not for polling.
   */
  changedSince(opts: {
    since: number;
    cursor?: ChangeCursor | undefined;
    limit: number;
  }): Promise<StoredJob[]>;

  // Webhook outbox. A change that announces an event a job's webhook asks for writes a
  // pending delivery in the same transaction as the change (unless that URL answered 410
  // for that job); these methods hand deliveries to dispatchers and record what came of them.

  /**
   * Take up to `limit` pending deliveries due at `now`, oldest due first, each
   * under a new lease: it is not due again until `now + leaseMs`, so a
   * dispatcher that dies holding it only delays it. Safe on many nodes.
   */
  claimDeliveries(opts: DeliveryClaimOptions): Promise<DeliveryLease[]>;
  /** Record one attempt and its outcome; false when the lease is no longer the caller's. */
  recordDelivery(token: string, attempt: DeliveryAttempt, outcome: DeliveryOutcome): Promise<boolean>;
  /** A job's deliveries, oldest first; null when the tenant has no such job. */
  listDeliveries(tenant: string, jobId: string): Promise<WebhookDelivery[] | null>;
  /** Make a delivery pending and due at `now` (whatever its status); null when not found. */
  retryDelivery(
    tenant: string,
    jobId: string,
    deliveryId: string,
    now?: number,
  ): Promise<WebhookDelivery | null>;
  /** When the next pending delivery is due (ms); null when none is pending. */
  nextDeliveryAt(): Promise<number | null>;

  // Remote workers and the job types they declare (docs/workers.md).

  /**
   * Record a worker (new, or registering again under its id) and its types in
   * one transaction: each type replaces its earlier declaration, whoever made it.
   */
  registerWorker(worker: WorkerRecord, types: readonly RemoteType[]): Promise<void>;
  /** Every declared remote type, in name order (kept when their workers are gone). */
  remoteTypes(): Promise<RemoteType[]>;
  /** A worker by id; null when unknown (never registered, removed or purged). */
  getWorker(id: string): Promise<WorkerRecord | null>;
  /** Record that the worker was seen at `now`; false when it is unknown. */
  touchWorker(id: string, now: number): Promise<boolean>;
  /** Every known worker, the most recently seen first. */
  listWorkers(): Promise<WorkerRecord[]>;
  /** Forget a worker; false when it was unknown. */
  removeWorker(id: string): Promise<boolean>;
  /** Forget workers last seen before `seenBefore`; how many were forgotten. */
  purgeWorkers(seenBefore: number): Promise<number>;

  // Uploaded files: the records only; their bytes are on disk (files/storage.ts).

  /** Record an uploaded file; false when the tenant already has a file with that id. */
  insertFile(file: NewFile): Promise<boolean>;
  /** A tenant's file by id; null when there is none (or it belongs to another tenant). */
  getFile(tenant: string, id: string): Promise<StoredFile | null>;
  /** A tenant's files, newest first. */
  listFiles(filter: FileListFilter): Promise<StoredFile[]>;
  /** Forget a tenant's file; the record as it was, or null when there was none. */
  deleteFile(tenant: string, id: string): Promise<StoredFile | null>;
  /**
   * Delete up to `limit` files that expired before `now` and return them, so
   * the caller removes their bytes. Safe on many nodes: each record is taken once.
   */
  takeExpiredFiles(opts: { now?: number | undefined; limit: number }): Promise<StoredFile[]>;
}
