import type { APIError } from './errors/api-error.js';
import type { components, paths } from './internal/openapi.js';

/** The job as the server's /openapi.json describes it. */
type WireJob = components['schemas']['Job'];

/** A job's state: `completed`, `failed` and `canceled` never change again. */
export type JobStatus = WireJob['status'];

/** The states of a job, as the server lists them (a test holds the lists equal). */
export const JOB_STATUSES = Object.freeze([
  'queued',
  'running',
  'completed',
  'failed',
  'canceled',
] as const satisfies readonly JobStatus[]);
export const TERMINAL_STATUSES: readonly JobStatus[] = Object.freeze(['completed', 'failed', 'canceled']);

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export interface Artifact {
  name: string;
  content_type: string;
  size: number;
  url: string;
}

/**
 * A job as the server returns it (docs/api.md, "The job"): the fields of the server's
 * job schema, with `output` typed by the caller.
 */
export interface Job<Output = Record<string, unknown>> extends Omit<WireJob, 'output'> {
  /** The result; files are listed in `output.artifacts`. */
  output: (Output & { artifacts?: Artifact[] }) | null;
}

/** The body of `POST /v1/jobs` as the server's /openapi.json describes it: one variant per job type. */
export type CreateJobBody = paths['/v1/jobs']['post']['requestBody']['content']['application/json'];

/**
 * The fields of {@link CreateJobBody} as the client sends them: those every variant shares, with
 * `type` and `input` open, since a server may run types added at run time and checks each input
 * against its type's schema.
 */
export type CreateJobFields = Omit<Pick<CreateJobBody, keyof CreateJobBody>, 'type' | 'input'> & {
  type: string;
  input?: Record<string, unknown>;
};

/**
 * What `jobs.create()` takes: the fields of {@link CreateJobFields}, but for `run_at`, which may
 * also be a `Date` (tsc checks the body where it is sent).
 */
export interface CreateJobParams {
  /** A type from `GET /v1/types`, e.g. `simulate`. */
  type: string;
  /** Checked against the type's input schema on the server. */
  input?: Record<string, unknown>;
  /** Your own id (1-128 of `A-Z a-z 0-9 . _ : -`, not dots alone); the server makes one when omitted. */
  id?: string;
  /** Attempts before the job fails for good (1-20). */
  max_attempts?: number;
  /** Your labels, returned as given (at most 16 KB). */
  metadata?: Record<string, unknown>;
  /**
   * Another queue of the same kind as the type's own (see `client.queues.list()`).
   * @default the type's own queue
   */
  queue?: string;
  /** -100 to 100; within its queue, higher runs first. @default 0 */
  priority?: number;
  /** Not started before then: a `Date`, or an ISO 8601 string with a zone (sent as ISO 8601). @default now */
  run_at?: string | Date;
  /** Not started before this many seconds from now (instead of `run_at`). @default 0 */
  run_in_seconds?: number;
  /** Where the server POSTs this job's signed events (Standard Webhooks; see docs/webhooks.md). */
  webhook?: {
    url: string;
    /** @default ['job.completed', 'job.failed', 'job.canceled'] */
    events?: ('job.started' | 'job.progress' | 'job.completed' | 'job.failed' | 'job.canceled')[];
  };
}

/** An item of `POST /v1/jobs/batch` as the server's /openapi.json describes it. */
type BatchItemBody =
  paths['/v1/jobs/batch']['post']['requestBody']['content']['application/json']['jobs'][number];

/** The fields of {@link BatchItemBody} as the client sends them: {@link CreateJobFields} and the item's key. */
export type BatchItemFields = Omit<Pick<BatchItemBody, keyof BatchItemBody>, 'type' | 'input'> & {
  type: string;
  input?: Record<string, unknown>;
};

/** What `jobs.createMany()` takes for each job: what `jobs.create()` takes, and the job's own idempotency key. */
export interface CreateManyItem extends CreateJobParams {
  /**
   * The same key and item give the same job, however often they are sent.
   * @default a fresh random key (so retries of this call never make a job twice)
   */
  idempotency_key?: string;
}

/** One item's result of `POST /v1/jobs/batch`, as the server's /openapi.json describes it. */
export type BatchResultBody =
  paths['/v1/jobs/batch']['post']['responses'][200]['content']['application/json']['data'][number];

/** What became of one job of `jobs.createMany()`. */
export type BatchResult =
  /** Created (`status` 202), or the job its idempotency key made before (200, `replayed`). */
  | { ok: true; status: number; replayed: boolean; job: Job }
  /** Refused, alone: the error `jobs.create()` would have thrown for it (a ConflictError, an UnprocessableEntityError…). */
  | { ok: false; status: number; error: APIError };

export interface JobListFilter {
  /** Only jobs in these states. */
  status?: JobStatus | JobStatus[];
  /** Only jobs of these types. */
  type?: string | string[];
  /**
   * Jobs fetched per request (1-200).
   * @default 20
   */
  pageSize?: number;
}

/** One line of a job's log, as `GET /v1/jobs/{id}/logs` pages them. */
export type LogLine =
  paths['/v1/jobs/{id}/logs']['get']['responses'][200]['content']['application/json']['data'][number];

/** How `wait()` learned of the job's end. */
export type Transport = 'sse' | 'long-poll' | 'poll';

/** A named queue, its limits, its state and its jobs now, as the server's /openapi.json describes it. */
export type Queue = components['schemas']['Queue'];

/** An uploaded file (`client.files`); put its `id` in a job input that takes a URL. */
export type FileObject = components['schemas']['File'];

/** What a queue's jobs do: `cpu` (ffmpeg) or `waiting` on something else (a simulator, a translation backend). */
export type QueueKind = Queue['kind'];
