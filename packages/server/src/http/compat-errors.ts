import type { FastifyRequest } from 'fastify';
import type { ApiError, ApiErrorCode } from '../errors.js';

/** The paths of the status API kept for its clients (compat.ts): `/submit/{job_id}`, `/status/{job_id}`. */
const COMPAT_PATH = /^\/(submit|status)(\/|\?|$)/;
/** The route that tells whether this server serves the status API. */
export const STATUS_ROUTE = '/status/:job_id';

/** Bad input, which the original FastAPI server answered 422 (its status for a request it cannot validate). */
const BAD_INPUT: ReadonlySet<ApiErrorCode> = new Set(['invalid_json', 'invalid_request', 'invalid_job_id']);

/**
 * Whether a request is one of the status API's, whose errors keep that
 * API's shape: its path is, and this server serves that API (a `worker`
 * node does not, and answers in its own shape).
 */
export function isCompatRequest(request: FastifyRequest): boolean {
  return COMPAT_PATH.test(request.url) && request.server.hasRoute({ method: 'GET', url: STATUS_ROUTE });
}

/**
 * An error as the original status API sent it: `{"detail": "…"}`, bad input
 * 422; the rest (401, 404, 409, 413, 415, 429, 503) keep their status.
 */
export function compatError(err: ApiError): { status: number; body: { detail: string } } {
  return { status: BAD_INPUT.has(err.code) ? 422 : err.statusCode, body: { detail: err.message } };
}
