import { APIError } from './api-error.js';

/** The server answered 404. */
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
