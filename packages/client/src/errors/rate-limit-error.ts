import { APIError } from './api-error.js';

/** The server answered 429. */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
