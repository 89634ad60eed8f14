import type { JobErrorCode } from '../errors.js';

/**
 * A failure a processor reports on purpose: a registered code and a message.
 * Retryable failures run again (with back-off) while attempts remain.
 */
export class JobFailure extends Error {
  override name = 'JobFailure';
  readonly code: JobErrorCode;
  readonly retryable: boolean;

  constructor(
    code: JobErrorCode,
    message: string,
    { retryable = true, cause }: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.retryable = retryable;
  }
}

/** A failure that no retry can mend (bad input, a result the backend gave): the job fails at once. */
export class UnrecoverableError extends JobFailure {
  override name = 'UnrecoverableError';

  constructor(code: JobErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/** Whatever a processor threw, as a {@link JobFailure}; thrown non-errors included. */
export function coerceError(err: unknown): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof Error) return new JobFailure('processor_error', err.message || err.name, { cause: err });
  let text: string;
  try {
    text = typeof err === 'string' ? err : JSON.stringify(err);
  } catch {
    text = String(err);
  }
  return new JobFailure('processor_error', `A non-error was thrown: ${text}`);
}
