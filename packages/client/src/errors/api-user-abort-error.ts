import { APIError } from './api-error.js';

/** The caller's AbortSignal fired. */
export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError';

  constructor({ message, cause }: { message?: string | undefined; cause?: unknown } = {}) {
    super(undefined, undefined, message ?? 'Request was aborted.', undefined, { cause });
  }
}
