import type { Job } from '../types.js';
import { LongrunError } from './longrun-error.js';

/** The job ended `failed` or `canceled`; `job` is its final snapshot. */
export class JobFailedError extends LongrunError {
  override name = 'JobFailedError';
  readonly job: Job;
  /** `job.error.code` (e.g. `simulated_error`), or `canceled`. */
  readonly code: string;

  constructor(job: Job, { cause }: { cause?: unknown } = {}) {
    const code = job.error?.code ?? job.status;
    const why =
      job.error?.message ?? (job.status === 'canceled' ? 'the job was canceled' : 'no reason given');
    super(`Job ${job.id} ${job.status}: ${code}: ${why}`, { cause });
    this.job = job;
    this.code = code;
  }
}
