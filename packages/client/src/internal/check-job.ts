import { UnknownStatusError } from '../errors/unknown-status-error.js';
import { isJobStatus, type Job } from '../types.js';

/** Refuse a snapshot whose status this client cannot judge: waiting on it could loop forever. */
export function checkJob(value: unknown): Job {
  const job = value as Job;
  if (!job || typeof job !== 'object' || !isJobStatus(job.status)) {
    throw new UnknownStatusError((job as { status?: unknown } | null)?.status ?? value);
  }
  return job;
}
