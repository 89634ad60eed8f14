import { JOB_ID_PATTERN } from '../jobs/ids.js';
import { ALL_STATES } from '../jobs/states.js';

/** JSON Schemas shared by the routes: they validate requests, shape responses and make the OpenAPI document. */

const nullableString = { type: ['string', 'null'] } as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const nullableIsoTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const jobSchema = {
  $id: 'Job',
  type: 'object',
  description: 'A job and everything known about it now.',
  required: [
    'id',
    'type',
    'status',
    'progress',
    'stage',
    'message',
    'input',
    'output',
    'error',
    'attempt',
    'max_attempts',
    'queue_position',
    'eta',
    'created_at',
    'started_at',
    'updated_at',
    'finished_at',
    'version',
    'logs',
    'metadata',
  ],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string', enum: [...ALL_STATES] },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    stage: nullableString,
    message: nullableString,
    input: { type: 'object', additionalProperties: true },
    output: { type: ['object', 'null'], additionalProperties: true },
    error: {
      type: ['object', 'null'],
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    attempt: { type: 'integer' },
    max_attempts: { type: 'integer' },
    queue_position: { type: ['integer', 'null'], description: 'Jobs ahead of this one while queued.' },
    eta: { ...nullableIsoTime, description: 'Estimated finish time.' },
    created_at: isoTime,
    started_at: nullableIsoTime,
    updated_at: isoTime,
    finished_at: nullableIsoTime,
    version: {
      type: 'integer',
      description: 'Goes up by one on every change: the ETag and the SSE event id.',
    },
    logs: { type: 'array', items: { type: 'string' }, description: 'The newest 50 log lines.' },
    metadata: { type: 'object', additionalProperties: true },
  },
} as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable; see docs/errors.md.' },
        message: { type: 'string' },
        details: {},
      },
    },
  },
} as const;

export const jobRef = { $ref: 'Job#' } as const;
export const errorRef = { $ref: 'Error#' } as const;

export const jobIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: `Job id: ${JOB_ID_PATTERN}` } },
} as const;

/** Error responses for the OpenAPI document; the body is rendered by the error handler. */
export function errors(...statuses: number[]): Record<number, typeof errorRef> {
  return Object.fromEntries(statuses.map((s) => [s, errorRef]));
}
