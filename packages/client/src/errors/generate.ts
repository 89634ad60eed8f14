import { APIError, type ErrorBody } from './api-error.js';
import { AuthenticationError } from './authentication-error.js';
import { BadRequestError } from './bad-request-error.js';
import { ConflictError } from './conflict-error.js';
import { InternalServerError } from './internal-server-error.js';
import { NotFoundError } from './not-found-error.js';
import { PermissionDeniedError } from './permission-denied-error.js';
import { RateLimitError } from './rate-limit-error.js';
import { UnprocessableEntityError } from './unprocessable-entity-error.js';

const BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/**
 * The one place that turns an error reply into a typed error. Accepts
 * longrun's `{"error": {...}}` and the compatibility routes' `{"detail": "..."}`.
 */
export function errorFromResponse(status: number, body: unknown, headers: Headers): APIError {
  const parsed = parseErrorBody(body);
  const message = parsed === undefined && typeof body === 'string' && body ? body.slice(0, 500) : undefined;
  const Class = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : APIError);
  return new Class(status, parsed, message, headers, { cause: body });
}

function parseErrorBody(body: unknown): ErrorBody | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const inner = record.error;
  if (inner && typeof inner === 'object') {
    const e = inner as Record<string, unknown>;
    return {
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.message === 'string' ? { message: e.message } : {}),
      ...(e.details !== undefined ? { details: e.details } : {}),
    };
  }
  if (typeof record.detail === 'string') return { message: record.detail };
  return undefined;
}
