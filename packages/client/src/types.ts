/** The states of a job; the last three never change again. */
export const JOB_STATUSES = Object.freeze(['queued', 'running', 'completed', 'failed', 'canceled'] as const);
export type JobStatus = (typeof JOB_STATUSES)[number];
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

/** A job as the server returns it (docs/api.md, "The job"). */
export interface Job<Output = Record<string, unknown>> {
  id: string;
  type: string;
  status: JobStatus;
  progress: number;
  stage: string | null;
  message: string | null;
  input: Record<string, unknown>;
  output: (Output & { artifacts?: Artifact[] }) | null;
  error: { code: string; message: string } | null;
  attempt: number;
  max_attempts: number;
  queue_position: number | null;
  /** Estimated finish, ISO-8601. */
  eta: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  finished_at: string | null;
  /** +1 on every change: the ETag and the SSE event id. */
  version: number;
  /** The newest log lines (at most 50); all of them through `jobs.logs()`. */
  logs: string[];
  metadata: Record<string, unknown>;
}

export interface CreateJobParams {
  /** A type from `GET /v1/types`, e.g. `simulate`. */
  type: string;
  /** Checked against the type's input schema on the server. */
  input?: Record<string, unknown>;
  /** Your own id (1-128 of `A-Z a-z 0-9 . _ : -`); the server makes one when omitted. */
  id?: string;
  /** Attempts before the job fails for good (1-20). */
  max_attempts?: number;
  /** Your labels, returned as given (at most 16 KB). */
  metadata?: Record<string, unknown>;
  /** Where the server POSTs this job's signed events (Standard Webhooks; see docs/webhooks.md). */
  webhook?: {
    url: string;
    /** @default ['job.completed', 'job.failed', 'job.canceled'] */
    events?: ('job.started' | 'job.progress' | 'job.completed' | 'job.failed' | 'job.canceled')[];
  };
}

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

export interface LogLine {
  seq: number;
  timestamp: string;
  line: string;
}

/** How `wait()` learned of the job's end. */
export type Transport = 'sse' | 'long-poll' | 'poll';
