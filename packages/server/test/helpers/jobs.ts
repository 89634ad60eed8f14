import type { StoredJob } from '../../src/jobs/model.js';
import type { NewJob } from '../../src/store/store.js';

/** A job as the store gives it, queued and untouched, with `patch` over it: for tests of views of a job. */
export function storedJob(patch: Partial<StoredJob> = {}): StoredJob {
  const created = patch.created_at ?? '2026-01-01T00:00:00.000Z';
  return {
    id: 'j1',
    type: 'simulate',
    status: 'queued',
    progress: 0,
    stage: null,
    message: null,
    input: {},
    output: null,
    error: null,
    attempt: 0,
    max_attempts: 3,
    queue: 'simulate',
    priority: 0,
    queue_position: 0,
    run_at: created,
    eta: null,
    created_at: created,
    started_at: null,
    updated_at: created,
    finished_at: null,
    version: 1,
    logs: [],
    metadata: {},
    tenant: 'default',
    seq: 1,
    due_at: Date.parse(created),
    lease_owner: null,
    lease_expires_at: null,
    webhook: null,
    json_bytes: 8,
    ...patch,
  };
}

/** A job to insert straight into a store: a simulate job of tenant `t` in its own queue, with `patch` over it. */
export function newJob(id: string, patch: Partial<NewJob> = {}): NewJob {
  return {
    id,
    tenant: 't',
    type: 'simulate',
    queue: 'simulate',
    priority: 0,
    input: {},
    metadata: {},
    max_attempts: 3,
    ...patch,
  };
}
