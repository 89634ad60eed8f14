import { APIError } from './api-error.js';

/** The server failed (a 5xx status). */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}
