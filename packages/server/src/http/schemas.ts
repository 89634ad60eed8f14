import { JOB_ID_PATTERN } from '../jobs/ids.js';

/** JSON Schemas shared by the routes: they validate requests, shape responses and make the OpenAPI document. */

export { jobSchema } from '../jobs/model.js';

/** How request bodies are read against their schemas: by Fastify for every route, and by the batch route for each item. */
export const REQUEST_VALIDATION = {
  removeAdditional: false,
  coerceTypes: 'array',
  useDefaults: true,
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

/** The paging fields of a list's query string. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
  cursor: { type: 'string', maxLength: 64, description: 'next_cursor of the previous page.' },
} as const;

/** A page of a list, newest first: its items and the cursor of the next page (null at the end). */
export function pageOf<I extends object>(items: I) {
  return {
    type: 'object',
    required: ['data', 'next_cursor'],
    properties: { data: { type: 'array', items }, next_cursor: { type: ['string', 'null'] } },
  } as const;
}

/** Error responses for the OpenAPI document; the body is rendered by the error handler. */
export function errors(...statuses: number[]): Record<number, typeof errorRef> {
  return Object.fromEntries(statuses.map((s) => [s, errorRef]));
}
