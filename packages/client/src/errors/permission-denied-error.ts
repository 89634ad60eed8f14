import { APIError } from './api-error.js';

/** The server answered 403. */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
