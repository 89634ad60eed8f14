import type { WebhookSpec } from '../webhooks/spec.js';
import type { JobStatus } from './states.js';

/** The error a job ended with: a stable code from the job error registry and a message for people. */
export interface JobError {
  code: string;
  message: string;
}

export type JsonObject = Record<string, unknown>;

/** A job as the API shows it (ARCHITECTURE §2). */
export interface Job {
  id: string;
  type: string;
  status: JobStatus;
  progress: number;
  stage: string | null;
  message: string | null;
  input: JsonObject;
  output: JsonObject | null;
  error: JobError | null;
  attempt: number;
  max_attempts: number;
  queue_position: number | null;
  eta: string | null;
  created_at: string;
  started_at: string | null;
  updated_at: string;
  finished_at: string | null;
  version: number;
  logs: string[];
  metadata: JsonObject;
}

/** A job with the fields only the server sees. */
export interface StoredJob extends Job {
  tenant: string;
  /** Insertion order: the list cursor and the claim tie-breaker. */
  seq: number;
  /** When a queued job may next be claimed (ms since epoch). */
  run_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Where the job's events are sent (not shown in the API's job). */
  webhook: WebhookSpec | null;
}

/** How many log lines a job snapshot carries; all of them are at /logs. */
export const LOG_TAIL = 50;

/** The public view of a stored job. */
export function publicJob(job: StoredJob): Job {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    progress: job.progress,
    stage: job.stage,
    message: job.message,
    input: job.input,
    output: job.output,
    error: job.error,
    attempt: job.attempt,
    max_attempts: job.max_attempts,
    queue_position: job.queue_position,
    eta: job.eta,
    created_at: job.created_at,
    started_at: job.started_at,
    updated_at: job.updated_at,
    finished_at: job.finished_at,
    version: job.version,
    logs: job.logs,
    metadata: job.metadata,
  };
}
