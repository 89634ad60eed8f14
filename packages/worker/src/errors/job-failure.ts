import { LongrunError } from '@longrun/client';

/** What a job's error code may be: the protocol's rule for `error.code`. */
export const ERROR_CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export interface JobFailureOptions {
  /**
   * Whether the job runs again while attempts remain (after the server's back-off).
   * @default true
   */
  retryable?: boolean | undefined;
  /**
   * With `retryable`, run the next attempt after this many seconds instead of the server's back-off.
   * @default undefined (the server's back-off)
   */
  retryInSeconds?: number | undefined;
  cause?: unknown;
}

/**
 * A failure a handler reports on purpose: your own error code (snake_case,
 * `^[a-z][a-z0-9_]{0,63}$`, such as `gpu_out_of_memory`), a message, and
 * whether to retry. Anything else a handler throws fails the job as
 * `processor_error` and is retried.
 */
export class JobFailure extends LongrunError {
  override name = 'JobFailure';
  readonly code: string;
  readonly retryable: boolean;
  readonly retryInSeconds: number | undefined;

  constructor(
    code: string,
    message: string,
    { retryable = true, retryInSeconds, cause }: JobFailureOptions = {},
  ) {
    if (!ERROR_CODE_PATTERN.test(code)) {
      throw new TypeError(
        `JobFailure code must match ${ERROR_CODE_PATTERN} (e.g. gpu_out_of_memory); got ${JSON.stringify(code)}`,
      );
    }
    super(message, { cause });
    this.code = code;
    this.retryable = retryable;
    this.retryInSeconds = retryInSeconds;
  }
}
