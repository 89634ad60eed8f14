import { createHash } from 'node:crypto';
import { SERVER_VERSION } from '../../internal/version.js';
import type { Job, StoredJob } from '../../jobs/model.js';
import { ownerPid } from '../../worker/owner.js';
import { storageName } from './storage-names.js';

/**
 * The response envelope of the image-to-video (toolkit) API, with the values
 * it carries taken from the job and the process that writes it:
 *
 * - `id`: the caller's own `id` from the submit body (kept as the job's `metadata.id`), else null;
 * - `queue_time`: seconds from submission to the start of the current (or last) attempt, or to now while queued;
 * - `run_time`: seconds from that start to the end, or to now while running; 0 before any start;
 * - `total_time`: seconds from submission to the end, or to now;
 * - `pid`: the process that wrote the envelope (answered the request or sent the webhook);
 * - `queue_id`: a number naming the queue the job waits in (the same for every job of that queue);
 * - `queue_length`: how many jobs wait in the queue now;
 * - `build_number`: the version of @longrun/server.
 *
 * In `response`, `process_id` is the process running the job (from its lease),
 * and null when no process holds it (queued, or finished).
 */

export type ToolkitJobStatus = 'queued' | 'running' | 'done' | 'error';

/** What the envelope needs besides the job. */
export interface EnvelopeContext {
  /** Jobs waiting in the queue now. */
  queueLength: number;
  /** Scheme, host and port that download URLs are written against. */
  origin: string;
  /** @default Date.now() */
  now?: number;
}

/** A job as the envelope reads it: the API's job, and its lease owner when the store shows it. */
export type EnvelopeJob = Job & Partial<Pick<StoredJob, 'lease_owner'>>;

export const JOB_QUEUED_MESSAGE = 'Job queued successfully';

/** A stable positive 31-bit number for a queue name. */
export function queueId(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) >>> 1;
}

const seconds = (ms: number) => Math.round(Math.max(0, ms)) / 1000;

function times(job: Job, now: number) {
  const created = Date.parse(job.created_at);
  const started = job.started_at === null ? null : Date.parse(job.started_at);
  const end = job.finished_at === null ? now : Date.parse(job.finished_at);
  return {
    run_time: started === null ? 0 : seconds(end - started),
    queue_time: seconds((started ?? end) - created),
    total_time: seconds(end - created),
  };
}

function envelope(
  job: EnvelopeJob,
  ctx: EnvelopeContext,
  head: { code: number; response: unknown; message: string },
) {
  const metadataId = job.metadata.id;
  return {
    code: head.code,
    id: typeof metadataId === 'string' ? metadataId : null,
    job_id: job.id,
    response: head.response,
    message: head.message,
    ...times(job, ctx.now ?? Date.now()),
    pid: process.pid,
    queue_id: queueId(job.queue),
    queue_length: ctx.queueLength,
    build_number: SERVER_VERSION,
  };
}

export function toolkitJobStatus(status: Job['status']): ToolkitJobStatus {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'running';
    case 'completed':
      return 'done';
    case 'failed':
    case 'canceled':
      return 'error';
  }
}

/** The 202 of the submit route. */
export function submitEnvelope(job: EnvelopeJob, ctx: EnvelopeContext) {
  return envelope(job, ctx, { code: 202, response: null, message: JOB_QUEUED_MESSAGE });
}

/** The first artifact a job lists, which the status names for download. */
function firstArtifact(job: Job): { name: string; content_type?: string } | null {
  const listed = job.output?.artifacts;
  const first = Array.isArray(listed) ? (listed[0] as { name?: unknown; content_type?: unknown }) : null;
  return first && typeof first.name === 'string'
    ? {
        name: first.name,
        ...(typeof first.content_type === 'string' ? { content_type: first.content_type } : {}),
      }
    : null;
}

/** What `response.response` holds once the job is done: where to download its file. */
function result(job: Job, origin: string) {
  const artifact = firstArtifact(job);
  const filename = artifact ? storageName(job.id, artifact.name) : null;
  return {
    download_url: filename ? `${origin}/v1/storage/download/${encodeURIComponent(filename)}` : null,
    filename,
    message: artifact?.content_type?.startsWith('video/')
      ? 'Video conversion completed successfully'
      : 'Job completed successfully',
  };
}

/** The status route's answer, and the webhook body when the job ends. */
export function statusEnvelope(job: EnvelopeJob, ctx: EnvelopeContext) {
  const jobStatus = toolkitJobStatus(job.status);
  const response: Record<string, unknown> = {
    job_status: jobStatus,
    job_id: job.id,
    queue_id: queueId(job.queue),
    process_id: job.status === 'running' && job.lease_owner ? ownerPid(job.lease_owner) : null,
    response: jobStatus === 'done' ? result(job, ctx.origin) : null,
  };
  if (jobStatus === 'error') response.error = job.error?.message ?? 'The job was canceled.';
  return envelope(job, ctx, { code: 200, response, message: 'success' });
}

const number = { type: 'number' } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** The envelope's JSON Schema; `response` is null (submit) or the job's status (status route, webhook). */
export const toolkitEnvelopeSchema = {
  $id: 'ToolkitEnvelope',
  type: 'object',
  required: [
    'code',
    'id',
    'job_id',
    'response',
    'message',
    'run_time',
    'queue_time',
    'total_time',
    'pid',
    'queue_id',
    'queue_length',
    'build_number',
  ],
  properties: {
    code: { type: 'integer', description: 'The HTTP status: 202 on submit, 200 on status.' },
    id: { ...nullableString, description: 'The `id` given on submit, else null.' },
    job_id: { type: 'string' },
    response: {
      type: ['object', 'null'],
      required: ['job_status', 'job_id', 'queue_id', 'process_id', 'response'],
      properties: {
        job_status: {
          type: 'string',
          enum: ['queued', 'running', 'done', 'error'],
          description: 'queued: waiting for a worker; running; done; error (failed or canceled).',
        },
        job_id: { type: 'string' },
        queue_id: { type: 'integer' },
        process_id: { type: ['integer', 'null'], description: 'The process running the job, while it runs.' },
        response: {
          type: ['object', 'null'],
          description: 'Once done: where to download the result.',
          required: ['download_url', 'filename', 'message'],
          properties: { download_url: nullableString, filename: nullableString, message: { type: 'string' } },
        },
        error: { type: 'string', description: 'Once the job_status is error: why.' },
      },
    },
    message: { type: 'string' },
    run_time: { ...number, description: 'Seconds the job has run.' },
    queue_time: { ...number, description: 'Seconds the job waited before it started.' },
    total_time: { ...number, description: 'Seconds since the job was submitted, to its end.' },
    pid: { type: 'integer', description: 'The server process that wrote this.' },
    queue_id: { type: 'integer', description: 'A number naming the queue the job waits in.' },
    queue_length: { type: 'integer', description: 'Jobs waiting in the queue now.' },
    build_number: { type: 'string', description: 'The server version.' },
  },
} as const;
