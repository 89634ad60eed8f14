import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from '../errors.js';
import { pollHeaders } from '../jobs/hints.js';
import { isValidJobId, JOB_ID_PATTERN, JOB_ID_RULE, newJobId } from '../jobs/ids.js';
import type { StoredJob } from '../jobs/model.js';
import type { CreateJobParams, JobService } from '../jobs/service.js';
import { ALL_STATES, isJobStatus, isTerminal, type JobStatus } from '../jobs/states.js';
import type { JobWatch } from '../jobs/watch.js';
import type { ListFilter } from '../store/store.js';
import { WEBHOOK_EVENTS } from '../webhooks/spec.js';
import { errors, jobIdParams, jobRef, pageOf, pageQuery } from './schemas.js';
import { jobBody, jobJson } from './serialize.js';

/** The longest hold of a long-poll or `Prefer: wait`, in seconds. */
export const MAX_WAIT_SECONDS = 60;
const MAX_METADATA_BYTES = 16 * 1024;

export function parseWait(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && !/^\d+(\.\d+)?$/.test(value.trim())) throw new ApiError('invalid_wait');
  if (!Number.isFinite(n) || n < 0 || n > MAX_WAIT_SECONDS) {
    throw new ApiError('invalid_wait', {
      message: `wait must be from 0 to ${MAX_WAIT_SECONDS} seconds; got ${String(value)}.`,
    });
  }
  return n;
}

export function checkJobId(id: string): string {
  if (isValidJobId(id)) return id;
  const shown = String(id).length > 40 ? `${String(id).slice(0, 40)}…` : String(id);
  throw new ApiError('invalid_job_id', {
    message: `"${shown}" is not a job id: use ${JOB_ID_RULE}.`,
  });
}

/** What the schema of {@link createBody} cannot say about a create request: the id's rule, the metadata's size. */
export function checkCreateBody(body: CreateJobParams): CreateJobParams {
  if (body.id !== undefined) checkJobId(body.id);
  if (body.metadata && Buffer.byteLength(JSON.stringify(body.metadata)) > MAX_METADATA_BYTES) {
    throw new ApiError('invalid_request', { message: 'metadata is larger than 16 KB.' });
  }
  return body;
}

/** `Prefer: wait=N` (RFC 7240). */
function preferWait(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  for (const pref of text.split(/[,;]/)) {
    const [name, value] = pref.split('=').map((s) => s.trim());
    if (name?.toLowerCase() === 'wait') return parseWait(value?.replace(/^"|"$/g, '') ?? '');
  }
  return undefined;
}

export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

/** The first `limit` of `rows` (fetched as limit + 1) and the cursor after them, null when no more follow. */
export function cursorPage<T extends { seq: number }>(
  rows: T[],
  limit: number,
): { data: T[]; next_cursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, next_cursor: rows.length > limit ? encodeCursor(data.at(-1)!.seq) : null };
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64url').toString();
  const m = /^s(\d{1,15})$/.exec(text);
  if (!m) throw new ApiError('invalid_cursor');
  return Number(m[1]);
}

/** `?status=queued,running` or repeated `?status=queued&status=running`. */
export function listParam(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim());
  const clean = items.filter(Boolean);
  return clean.length > 0 ? clean : undefined;
}

export function statusFilter(value: string | string[] | undefined): JobStatus[] | undefined {
  const items = listParam(value);
  if (!items) return undefined;
  for (const s of items) {
    if (!isJobStatus(s)) {
      throw new ApiError('invalid_request', {
        message: `status "${s}" is not one of ${ALL_STATES.join(', ')}.`,
      });
    }
  }
  return items as JobStatus[];
}

/**
 * A list page ends before the item that would take its body past this many
 * bytes (it always holds one): with inputs and outputs over 8 KiB left out of
 * list items by the store, a page stays near this size however large jobs are.
 */
export const LIST_PAGE_MAX_BYTES = 1024 * 1024;

/**
 * `{"data": [...], "next_cursor": ...}` of up to `limit` of `jobs` (the store
 * read one more, to know whether more follow), cut at {@link LIST_PAGE_MAX_BYTES}.
 * Written by hand from each job's memoised JSON, so that a page is one pass.
 */
export function jobPageJson(
  jobs: readonly StoredJob[],
  limit: number,
  maxBytes = LIST_PAGE_MAX_BYTES,
): string {
  const items: string[] = [];
  let bytes = 0;
  for (const job of jobs.slice(0, limit)) {
    const item = jobJson(job);
    // Lengths in characters: close enough to bytes for a budget, and free.
    if (items.length > 0 && bytes + item.length + 1 > maxBytes) break;
    items.push(item);
    bytes += item.length + 1;
  }
  const more = items.length < jobs.length;
  const next = more ? JSON.stringify(encodeCursor(jobs[items.length - 1]!.seq)) : 'null';
  return `{"data":[${items.join(',')}],"next_cursor":${next}}`;
}

/** Rows a list page reads from the store at a time. */
const LIST_CHUNK = 50;

/**
 * Up to `limit` + 1 jobs of a list page (the one more says whether more
 * follow), read {@link LIST_CHUNK} at a time with other requests let in
 * between: SQLite reads synchronously, and a row with a megabyte input costs
 * a walk through its overflow pages even when the input is left out. Reading
 * stops once the page's JSON passes {@link LIST_PAGE_MAX_BYTES}.
 */
async function readPage(service: JobService, filter: ListFilter): Promise<StoredJob[]> {
  const jobs: StoredJob[] = [];
  let bytes = 0;
  let beforeSeq = filter.beforeSeq;
  for (;;) {
    const want = Math.min(LIST_CHUNK, filter.limit + 1 - jobs.length);
    const chunk = await service.list({ ...filter, limit: want, beforeSeq });
    jobs.push(...chunk);
    for (const job of chunk) bytes += jobJson(job).length;
    if (chunk.length < want || jobs.length > filter.limit || bytes > LIST_PAGE_MAX_BYTES) return jobs;
    beforeSeq = chunk.at(-1)!.seq;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Send a job with its ETag and, while it runs, the poll hint. */
export function sendJob(reply: FastifyReply, job: StoredJob, status = 200): FastifyReply {
  // jobBody serialises each snapshot once, however often it is read.
  return reply
    .code(status)
    .headers({ etag: `"${job.version}"`, 'cache-control': 'no-cache', ...pollHeaders(job) })
    .type('application/json; charset=utf-8')
    .send(jobBody(job));
}

/** A signal that fires if the client goes away before the reply is sent. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once('close', onClose);
  return controller.signal;
}

/**
 * Follow `watch` until the job ends, `ms` pass or the client goes away;
 * returns the newest snapshot seen. The client's going closes the watch,
 * which ends the wait as a signal would, without the AbortSignal a held
 * request would otherwise make (about 2 µs, with its listeners).
 */
async function holdUntilDone(
  watch: JobWatch,
  job: StoredJob,
  ms: number,
  reply: FastifyReply,
): Promise<StoredJob> {
  const gone = () => watch.close();
  reply.raw.once('close', gone);
  try {
    const deadline = Date.now() + ms;
    let current = job;
    while (!isTerminal(current.status)) {
      const next = await watch.next(current.version, { timeoutMs: deadline - Date.now() });
      if (!next) break;
      current = next;
    }
    return current;
  } finally {
    reply.raw.off('close', gone);
  }
}

/** The body of `POST /v1/jobs`, and of each item of `POST /v1/jobs/batch`. */
export const createBody = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64, description: 'A type from GET /v1/types.' },
    input: {
      type: 'object',
      additionalProperties: true,
      description: "Checked against the type's input schema.",
    },
    id: { type: 'string', description: `Your own id (${JOB_ID_PATTERN}); a UUIDv7 when omitted.` },
    max_attempts: { type: 'integer', minimum: 1, maximum: 20, description: 'Attempts before giving up.' },
    queue: {
      type: 'string',
      maxLength: 64,
      description: "Another queue of the same kind (cpu or waiting) as the type's own; see GET /v1/queues.",
    },
    priority: {
      type: 'integer',
      description: 'From -100 to 100, higher first within the queue; 0 when omitted.',
    },
    run_at: {
      type: 'string',
      maxLength: 64,
      description: 'ISO 8601 with a zone: the job stays queued until then (at most 365 days ahead).',
    },
    run_in_seconds: {
      type: 'number',
      description: 'The job stays queued this many seconds (0 to 31536000); instead of run_at.',
    },
    metadata: {
      type: 'object',
      additionalProperties: true,
      description: 'Your labels, returned as given (at most 16 KB).',
    },
    webhook: {
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      description: 'Where to POST signed events of this job (Standard Webhooks); see docs/webhooks.md.',
      properties: {
        url: { type: 'string', minLength: 1, maxLength: 2048 },
        events: {
          type: 'array',
          minItems: 1,
          maxItems: 5,
          items: { type: 'string', enum: [...WEBHOOK_EVENTS] },
          description: 'Default: job.completed, job.failed, job.canceled.',
        },
      },
    },
  },
} as const;

export function jobRoutes(app: FastifyInstance, { service }: { service: JobService }): void {
  app.post<{ Body: CreateJobParams; Headers: { 'idempotency-key'?: string; prefer?: string } }>(
    '/v1/jobs',
    {
      schema: {
        operationId: 'createJob',
        summary: 'Create a job',
        tags: ['jobs'],
        body: createBody,
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 },
            prefer: {
              type: 'string',
              description: 'wait=N (N <= 60) holds the reply until the job ends or N s pass.',
            },
          },
        },
        response: { 200: jobRef, 202: jobRef, ...errors(400, 401, 404, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const body = checkCreateBody(request.body);
      const wait = preferWait(request.headers.prefer);
      const id = body.id ?? newJobId();
      // To hold the reply, follow the job from before it exists: no change can slip by.
      let watch = wait === undefined ? null : service.watch(request.tenant, id);
      try {
        const { job, replayed } = await service.create(request.tenant, body, {
          idempotencyKey: request.headers['idempotency-key'],
          id,
          origin: `${request.protocol}://${request.host}`,
        });
        reply.header('location', `/v1/jobs/${encodeURIComponent(job.id)}`);
        if (replayed) reply.header('idempotent-replayed', 'true');
        let current = job;
        if (watch && wait !== undefined) {
          reply.header('preference-applied', `wait=${wait}`);
          if (job.id !== id) {
            // An Idempotency-Key replay: the job is an older one.
            watch.close();
            watch = service.watch(request.tenant, job.id);
            current = await service.get(request.tenant, job.id);
          }
          current = await holdUntilDone(watch, current, wait * 1000, reply);
        }
        return sendJob(reply, current, isTerminal(current.status) || replayed ? 200 : 202);
      } finally {
        watch?.close();
      }
    },
  );

  app.get<{
    Querystring: { status?: string | string[]; type?: string | string[]; limit?: number; cursor?: string };
  }>(
    '/v1/jobs',
    {
      schema: {
        operationId: 'listJobs',
        summary: 'List jobs, newest first',
        description:
          'A page ends early, before the item that would take it past 1 MiB (next_cursor continues). ' +
          'In list items an input or output whose JSON is over 8 KiB is replaced by `{"$omitted": <bytes>}`: ' +
          'GET /v1/jobs/{id} has the whole job.',
        tags: ['jobs'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            type: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            ...pageQuery,
          },
        },
        response: {
          200: pageOf(jobRef),
          ...errors(400, 401),
        },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? 20;
      const jobs = await readPage(service, {
        tenant: request.tenant,
        status: statusFilter(request.query.status),
        type: listParam(request.query.type),
        limit,
        beforeSeq: decodeCursor(request.query.cursor),
      });
      return reply.type('application/json; charset=utf-8').send(jobPageJson(jobs, limit));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { wait?: string; since?: number; until?: 'terminal' } }>(
    '/v1/jobs/:id',
    {
      schema: {
        operationId: 'getJob',
        summary: 'Get a job; with ?wait=N, hold until it changes',
        tags: ['jobs'],
        params: jobIdParams,
        querystring: {
          type: 'object',
          properties: {
            wait: { type: 'string', description: 'Seconds (0-60) to hold until the job changes or ends.' },
            since: {
              type: 'integer',
              minimum: 0,
              description: 'Hold until version > since (default: the version when the request came).',
            },
            until: {
              type: 'string',
              enum: ['terminal'],
              description: 'terminal: hold until the job ends (or wait passes), not until its next change.',
            },
          },
        },
        response: { 200: jobRef, 304: { type: 'null' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const id = checkJobId(request.params.id);
      const wait = parseWait(request.query.wait);
      if (wait === undefined || wait === 0) {
        const job = await service.get(request.tenant, id);
        if (request.headers['if-none-match'] === `"${job.version}"`) {
          return reply
            .code(304)
            .headers({ etag: `"${job.version}"`, ...pollHeaders(job) })
            .send();
        }
        return sendJob(reply, job);
      }
      if (request.query.until === 'terminal') {
        // Subscribe before reading, so that an end between the two is not missed.
        const watch = service.watch(request.tenant, id);
        try {
          const current = await service.get(request.tenant, id);
          return sendJob(reply, await holdUntilDone(watch, current, wait * 1000, reply));
        } finally {
          watch.close();
        }
      }
      const job = await service.waitForChange(request.tenant, id, {
        since: request.query.since,
        timeoutMs: wait * 1000,
        signal: clientGone(reply),
      });
      return sendJob(reply, job);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/jobs/:id/cancel',
    {
      schema: {
        operationId: 'cancelJob',
        summary: 'Cancel a job (idempotent)',
        tags: ['jobs'],
        params: jobIdParams,
        response: { 200: jobRef, ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) =>
      sendJob(reply, await service.cancel(request.tenant, checkJobId(request.params.id))),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    {
      schema: {
        operationId: 'deleteJob',
        summary: 'Delete a finished job and its artifacts',
        tags: ['jobs'],
        params: jobIdParams,
        response: {
          200: {
            type: 'object',
            required: ['id', 'deleted'],
            properties: { id: { type: 'string' }, deleted: { type: 'boolean' } },
          },
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (request) => {
      const job = await service.delete(request.tenant, checkJobId(request.params.id));
      return { id: job.id, deleted: true };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { cursor?: string; limit?: number } }>(
    '/v1/jobs/:id/logs',
    {
      schema: {
        operationId: 'listJobLogs',
        summary: "A job's log lines, oldest first",
        tags: ['jobs'],
        params: jobIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cursor: {
              type: 'string',
              pattern: '^\\d{1,15}$',
              description: 'next_cursor of the previous page.',
            },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['data', 'next_cursor'],
            properties: {
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['seq', 'timestamp', 'line'],
                  properties: {
                    seq: { type: 'integer' },
                    timestamp: { type: 'string' },
                    line: { type: 'string' },
                  },
                },
              },
              next_cursor: { type: ['string', 'null'] },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const lines = await service.logs(request.tenant, checkJobId(request.params.id), {
        after: request.query.cursor === undefined ? 0 : Number(request.query.cursor),
        limit,
      });
      return { data: lines, next_cursor: lines.length === limit ? String(lines.at(-1)!.seq) : null };
    },
  );
}
