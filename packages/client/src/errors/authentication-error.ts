import { APIError } from './api-error.js';

/** The server answered 401. */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
