import { HttpCore } from '../core.js';
import {
  type JobEventsOptions,
  jobEvents,
  type ManyJobEventsOptions,
  type ManyJobsEvent,
  manyJobEvents,
} from '../events.js';
import { batchResult } from '../internal/batch-result.js';
import { checkJob } from '../internal/check-job.js';
import type { Fits } from '../internal/fits.js';
import { newIdempotencyKey } from '../internal/idempotency-key.js';
import { AutoPager, type Page } from '../pagination.js';
import type {
  BatchItemFields,
  BatchResult,
  BatchResultBody,
  CreateJobFields,
  CreateJobParams,
  CreateManyItem,
  Job,
  JobListFilter,
  LogLine,
} from '../types.js';
import { type WaitManyOptions, type WaitOptions, waitForJob, waitForJobs } from '../wait.js';

export interface CallOptions {
  /** Cancels the request with `APIUserAbortError`. @default undefined */
  signal?: AbortSignal | undefined;
}

export interface CreateOptions extends CallOptions {
  /**
   * The same key and body give the same job, however often the request is sent.
   * @default a fresh random key (so retries of this call never make a second job)
   */
  idempotencyKey?: string | undefined;
}

const path = (id: string) => `/v1/jobs/${encodeURIComponent(id)}`;

/** `client.jobs`: the job routes of docs/api.md. */
export class Jobs {
  constructor(private readonly core: HttpCore) {}

  /** Submit a job; it comes back `queued` (or already further along). */
  create(params: CreateJobParams, { idempotencyKey, signal }: CreateOptions = {}): Promise<Job> {
    const { run_at, ...rest } = params;
    const body = { ...rest, ...(run_at === undefined ? {} : { run_at: isoTime(run_at) }) };
    return this.core.request(
      {
        method: 'POST',
        path: '/v1/jobs',
        body: body satisfies Fits<typeof body, CreateJobFields>,
        headers: { 'idempotency-key': idempotencyKey ?? newIdempotencyKey() },
        signal,
      },
      async (r) => checkJob(await r.json()),
    );
  }

  /**
   * Submit many jobs in one request (`POST /v1/jobs/batch`, written in one transaction): one
   * result per item, in order. A refused item (a bad input, a taken id) is a result with its
   * error, never a throw; the call throws only when the request as a whole fails. Each item
   * carries an idempotency key (its own `idempotency_key`, else a fresh one), so a retried
   * request creates nothing twice: what the first attempt created comes back `replayed`.
   * A server takes at most `--max-batch-jobs` (1,000 by default) items at once; more is a
   * 413 `batch_too_large` (an APIError).
   */
  async createMany(items: readonly CreateManyItem[], { signal }: CallOptions = {}): Promise<BatchResult[]> {
    const jobs = items.map(({ run_at, idempotency_key, ...rest }) => {
      const item = {
        ...rest,
        ...(run_at === undefined ? {} : { run_at: isoTime(run_at) }),
        idempotency_key: idempotency_key ?? newIdempotencyKey(),
      };
      return item satisfies Fits<typeof item, BatchItemFields>;
    });
    return this.core.request(
      { method: 'POST', path: '/v1/jobs/batch', body: { jobs }, signal },
      async (r) => {
        const { data } = await HttpCore.json<{ data: BatchResultBody[] }>(r);
        return data.map((item) => batchResult(item, r.headers));
      },
    );
  }

  get(id: string, { signal }: CallOptions = {}): Promise<Job> {
    return this.core.request({ path: path(id), signal }, async (r) => checkJob(await r.json()));
  }

  /** Jobs, newest first, as an async iterable that fetches page after page. */
  list({ status, type, pageSize = 20 }: JobListFilter = {}, { signal }: CallOptions = {}): AutoPager<Job> {
    return new AutoPager((cursor) =>
      this.core.request(
        {
          path: '/v1/jobs',
          query: {
            status: status === undefined ? undefined : [status].flat(),
            type: type === undefined ? undefined : [type].flat(),
            limit: pageSize,
            cursor,
          },
          signal,
        },
        (r) => HttpCore.json<Page<Job>>(r),
      ),
    );
  }

  /** Cancel a job (idempotent for a canceled job; a finished one is a ConflictError). */
  cancel(id: string, { signal }: CallOptions = {}): Promise<Job> {
    return this.core.request(
      {
        method: 'POST',
        path: `${path(id)}/cancel`,
        headers: { 'idempotency-key': newIdempotencyKey() },
        signal,
      },
      async (r) => checkJob(await r.json()),
    );
  }

  /** Delete a finished job and its artifacts (a running one is a ConflictError). */
  delete(id: string, { signal }: CallOptions = {}): Promise<{ id: string; deleted: true }> {
    return this.core.request({ method: 'DELETE', path: path(id), signal }, (r) => HttpCore.json(r));
  }

  /** Every log line of a job, oldest first, paging by itself. */
  logs(id: string, { pageSize = 100, signal }: CallOptions & { pageSize?: number } = {}): AutoPager<LogLine> {
    return new AutoPager((cursor) =>
      this.core.request({ path: `${path(id)}/logs`, query: { limit: pageSize, cursor }, signal }, (r) =>
        HttpCore.json<Page<LogLine>>(r),
      ),
    );
  }

  /** The job's snapshots as they change, over SSE; ends after the terminal one. */
  events(id: string, options: JobEventsOptions = {}): AsyncGenerator<Job> {
    return jobEvents(this.core, id, options);
  }

  /**
   * Many jobs' snapshots as they change, over one SSE stream (`POST /v1/jobs/events`): each
   * job's current one, then its changes, and `{ missing: id }` for an id with no job of the
   * caller's; ends once every job has ended or is missing. Reopened after a drop for the jobs
   * not yet ended, whose current snapshots then come again.
   */
  eventsMany(ids: readonly string[], options: ManyJobEventsOptions = {}): AsyncGenerator<ManyJobsEvent> {
    return manyJobEvents(this.core, ids, options);
  }

  /**
   * An artifact's bytes as a web ReadableStream (e.g. `output.artifacts[0].name`).
   * In Node, `saveArtifact` from `@longrun/client/node` writes it to a file.
   */
  download(id: string, name: string, { signal }: CallOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.core.request(
      {
        path: `${path(id)}/artifacts/${encodeURIComponent(name)}`,
        headers: { accept: '*/*' },
        signal,
        stream: true,
      },
      async (r) => r.body ?? new ReadableStream({ start: (c) => c.close() }),
    );
  }

  /**
   * Wait for the job to end, by the cheapest prompt transport the server offers
   * (see {@link WaitOptions}). Pass the job itself (e.g. what `create` returned)
   * rather than its id to start from that snapshot: polling then does not ask
   * at once for what it already knows.
   */
  wait(job: string | Job, options: WaitOptions = {}): Promise<Job> {
    return waitForJob(this.core, job, options);
  }

  /**
   * Wait for every one of many jobs to end (ids, or the jobs `createMany` gave back), and get
   * them in the order given: one event stream for them all, or, where the server or a proxy
   * offers none, each job waited for on its own (see {@link WaitManyOptions}). A job that does
   * not exist is a `NotFoundError`; the deadline a `WaitTimeoutError` whose `last` holds the
   * newest snapshot seen of each job.
   */
  waitMany(jobs: readonly (string | Job)[], options: WaitManyOptions = {}): Promise<Job[]> {
    return waitForJobs(this.core, jobs, options);
  }
}

/**
 * A `Date` as ISO 8601. An invalid one is sent as it prints, so that the server, which checks
 * every field, answers it with its `invalid_run_at` rather than the client throwing a RangeError.
 */
function isoTime(value: string | Date): string {
  if (typeof value === 'string') return value;
  return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
}
