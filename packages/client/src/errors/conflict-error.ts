import { APIError } from './api-error.js';

/** The server answered 409. */
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
