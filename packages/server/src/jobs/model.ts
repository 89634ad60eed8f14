import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import type { WebhookSpec } from '../webhooks/spec.js';
import { JOB_ID_PATTERN } from './ids.js';
import { ALL_STATES, type JobStatus } from './states.js';

/** How many log lines a job snapshot carries; all of them are at /logs. */
export const LOG_TAIL = 50;

export type JsonObject = Record<string, unknown>;

/**
 * `type: [t, 'null']` rather than TypeBox's `anyOf` with null: fast-json-stringify
 * writes it without trying each branch, and it is how the API has always described it.
 */
function nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const { type, ...rest } = Object.fromEntries(Object.entries(schema)) as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

/** Any JSON object; `additionalProperties` said outright so that generated types read it as a record. */
function jsonObject(options: { description?: string } = {}): TUnsafe<JsonObject> {
  return Type.Unsafe<JsonObject>({ ...options, type: 'object', additionalProperties: true });
}

const isoTime = (description: string) => Type.String({ format: 'date-time', description });

export const jobErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable; see the job error codes in docs/errors.md.' }),
    message: Type.String({ description: 'For people.' }),
  },
  { description: 'Why the job failed.' },
);

/**
 * The job as the API shows it (ARCHITECTURE §2), written once: the {@link Job}
 * type, the route schema (so /openapi.json and the client's generated types),
 * the JSON serializer and {@link publicJob}'s fields all come from here.
 */
export const jobSchema = Type.Object(
  {
    id: Type.String({ description: `A UUIDv7 made by the server, or the caller's own: ${JOB_ID_PATTERN}` }),
    type: Type.String({ description: 'The job type, one of GET /v1/types.' }),
    status: Type.Unsafe<JobStatus>({
      type: 'string',
      enum: [...ALL_STATES],
      description: 'completed, failed and canceled never change again.',
    }),
    progress: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'Percent done; never goes down within an attempt.',
    }),
    stage: nullable(Type.String({ description: "The processor's current step, e.g. transcribing." })),
    message: nullable(Type.String({ description: 'The latest human-readable message.' })),
    input: jsonObject({ description: "As submitted, checked against the type's input schema." }),
    output: nullable(jsonObject({ description: 'The result; files are listed in output.artifacts.' })),
    error: nullable(jobErrorSchema),
    attempt: Type.Integer({ description: 'The current or last attempt, from 1; 0 before the first.' }),
    max_attempts: Type.Integer({ description: 'Attempts before the job fails for good.' }),
    queue: Type.String({ description: 'The named queue the job runs in; see GET /v1/queues.' }),
    priority: Type.Integer({
      minimum: -100,
      maximum: 100,
      description: 'Higher runs first within its queue; 0 by default.',
    }),
    queue_position: nullable(
      Type.Integer({
        description:
          'While queued, in a read of one job: the jobs that will run before this one, with fair turns between tenants (counted up to 10000); null in lists, events and the reply to a create.',
      }),
    ),
    run_at: nullable(
      isoTime(
        'While queued: when the job may start (a scheduled job, or the next attempt of a retried one).',
      ),
    ),
    eta: nullable(isoTime('Estimated finish time.')),
    created_at: isoTime('When the job was submitted.'),
    started_at: nullable(isoTime('When the current or last attempt started.')),
    updated_at: isoTime('When the job last changed.'),
    finished_at: nullable(isoTime('When the job reached completed, failed or canceled.')),
    version: Type.Integer({ description: 'Goes up by one on every change: the ETag and the SSE event id.' }),
    logs: Type.Array(Type.String(), {
      description: `The newest ${LOG_TAIL} log lines; all of them at GET /v1/jobs/{id}/logs.`,
    }),
    metadata: jsonObject({ description: "The caller's labels, returned as given." }),
  },
  { $id: 'Job', description: 'A job and everything known about it now.' },
);

/** A job as the API shows it. */
export type Job = Static<typeof jobSchema>;

/** The error a job ended with: a stable code from the job error registry and a message for people. */
export type JobError = Static<typeof jobErrorSchema>;

/** A job with the fields only the server sees. */
export interface StoredJob extends Job {
  tenant: string;
  /** Insertion order: the list cursor and the claim tie-breaker. */
  seq: number;
  /** When it was (or is) due to start, in ms: `run_at` as a number, kept after it starts. */
  due_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Where the job's events are sent (not shown in the API's job). */
  webhook: WebhookSpec | null;
  /**
   * The length of the job's JSON and free-text fields (input, output,
   * metadata, logs, message, stage) as stored: roughly what keeping this
   * snapshot in memory costs, for byte budgets such as the read cache's.
   */
  json_bytes: number;
}

/** The fields the API shows, in the schema's order. */
export const PUBLIC_JOB_FIELDS: readonly (keyof Job)[] = Object.freeze(
  Object.keys(jobSchema.properties) as (keyof Job)[],
);

/**
 * The public view of a stored job: the schema's fields and no others, in its
 * order (a test holds the two together). Written out, not copied field by
 * field from {@link PUBLIC_JOB_FIELDS}: V8 built that copy property by
 * property into a dictionary, 1.7 µs and slow to read, where a literal is a
 * fast object made in a tenth of the time.
 */
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
    queue: job.queue,
    priority: job.priority,
    queue_position: job.queue_position,
    run_at: job.run_at,
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
