import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { jobSchema, PUBLIC_JOB_FIELDS, publicJob } from '../../src/jobs/model.js';
import { type JobRow, toJob } from '../../src/store/job-row.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** A row as a store keeps it, with every nullable column filled so each field's type is exercised. */
function row(patch: Partial<JobRow> = {}): JobRow {
  return {
    seq: 7,
    tenant: 'acme',
    id: 'job-1',
    type: 'simulate',
    queue: 'simulate',
    priority: 5,
    status: 'failed',
    progress: 40,
    stage: 'rendering',
    message: 'Rendering',
    input: '{"duration_seconds":1}',
    output: '{"artifacts":[]}',
    error_code: 'simulated_error',
    error_message: 'boom',
    attempt: 2,
    max_attempts: 3,
    eta: T0 + 5000,
    created_at: T0,
    started_at: T0 + 10,
    updated_at: T0 + 20,
    finished_at: T0 + 20,
    version: 9,
    logs_tail: '["a","b"]',
    logs_tail_ts: `[${T0 + 10},${T0 + 20}]`,
    log_count: 2,
    metadata: '{"order":1}',
    run_at: T0,
    lease_owner: 'node-a',
    lease_token: 'token',
    lease_expires_at: T0 + 30_000,
    idempotency_key: 'key',
    request_hash: 'hash',
    webhook: '{"url":"https://example.test/hook","events":["job.failed"]}',
    ...patch,
  };
}

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(jobSchema);

describe('the job schema', () => {
  it('requires every field it defines', () => {
    expect([...jobSchema.required].sort()).toEqual(Object.keys(jobSchema.properties).sort());
  });

  it('is what publicJob shows: the fields of the schema and none of the server-only ones', () => {
    const job = publicJob(toJob(row(), 3));
    expect(Object.keys(job)).toEqual([...PUBLIC_JOB_FIELDS]);
    expect(Object.keys(job)).toEqual(Object.keys(jobSchema.properties));
    for (const hidden of ['tenant', 'seq', 'due_at', 'lease_owner', 'lease_expires_at', 'webhook'])
      expect(job).not.toHaveProperty(hidden);
  });

  it('describes the job a stored row maps to, with and without its nullable fields', () => {
    const full = publicJob(toJob(row(), 3));
    expect(validate(full), ajv.errorsText(validate.errors)).toBe(true);
    const bare = publicJob(
      toJob(
        row({
          status: 'queued',
          stage: null,
          message: null,
          output: null,
          error_code: null,
          error_message: null,
          eta: null,
          started_at: null,
          finished_at: null,
        }),
        null,
      ),
    );
    expect(validate(bare), ajv.errorsText(validate.errors)).toBe(true);
  });

  it("matches docs/api.md's example job field for field", () => {
    const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
    const example = /## The job\s+```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(example, 'docs/api.md has a JSON example under "## The job"').toBeDefined();
    const job: unknown = JSON.parse(example!);
    expect(Object.keys(job as object)).toEqual(Object.keys(jobSchema.properties));
    expect(validate(job), ajv.errorsText(validate.errors)).toBe(true);
  });
});
