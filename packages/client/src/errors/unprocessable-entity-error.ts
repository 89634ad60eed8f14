import { APIError } from './api-error.js';

/** The server answered 422. */
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
