import type { Job } from '../types.js';
import { LongrunError } from './longrun-error.js';

/** The wait's deadline passed before the job ended. */
export class WaitTimeoutError<T = Job> extends LongrunError {
  override name = 'WaitTimeoutError';
  /** The newest state seen before the deadline, if any request succeeded. */
  readonly last: T | undefined;
  readonly timeoutMs: number;

  constructor(timeoutMs: number, last: T | undefined, { cause }: { cause?: unknown } = {}) {
    super(`Gave up waiting after ${timeoutMs} ms; the job had not finished.`, { cause });
    this.timeoutMs = timeoutMs;
    this.last = last;
  }
}
