import { JobFailure } from './job-failure.js';

/** A failure no retry can mend (bad input, a file that cannot be decoded): the job fails at once. */
export class UnrecoverableError extends JobFailure {
  override name = 'UnrecoverableError';

  constructor(code: string, message: string, { cause }: { cause?: unknown } = {}) {
    super(code, message, { retryable: false, cause });
  }
}
