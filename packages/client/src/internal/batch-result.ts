import { errorFromResponse } from '../errors/generate.js';
import type { BatchResult, BatchResultBody } from '../types.js';
import { checkJob } from './check-job.js';

/** An item of the server's answer as a {@link BatchResult}; an item's error is typed as a whole reply's would be. */
export function batchResult(item: BatchResultBody, headers: Headers): BatchResult {
  if (item.job && item.status < 300) {
    return { ok: true, status: item.status, replayed: item.status === 200, job: checkJob(item.job) };
  }
  return { ok: false, status: item.status, error: errorFromResponse(item.status, item, headers) };
}
