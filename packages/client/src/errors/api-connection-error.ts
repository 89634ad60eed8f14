import { APIError } from './api-error.js';

/** No response came: the connection failed or was reset. */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';

  constructor({ message, cause }: { message?: string | undefined; cause?: unknown } = {}) {
    super(undefined, undefined, message ?? 'Connection error.', undefined, { cause });
  }
}
