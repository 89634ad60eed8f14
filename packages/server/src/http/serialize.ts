import fastJson from 'fast-json-stringify';
import type { StoredJob } from '../jobs/model.js';
import { jobSchema } from './schemas.js';

const stringify = fastJson(jobSchema as unknown as Parameters<typeof fastJson>[0]) as (
  job: unknown,
) => string;
const cache = new WeakMap<StoredJob, string>();

/**
 * A job as JSON, public fields only. One snapshot is serialised once however
 * many SSE streams and waiters receive it.
 */
export function jobJson(job: StoredJob): string {
  let text = cache.get(job);
  if (text === undefined) {
    text = stringify(job);
    cache.set(job, text);
  }
  return text;
}
