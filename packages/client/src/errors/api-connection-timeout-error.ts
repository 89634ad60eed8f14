import { APIConnectionError } from './api-connection-error.js';

/** No response came within the request timeout. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';

  constructor({ message, cause }: { message?: string | undefined; cause?: unknown } = {}) {
    super({ message: message ?? 'Request timed out.', cause });
  }
}
