import { APIError } from './api-error.js';

/** The server answered 400. */
export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
