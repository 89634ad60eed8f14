import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { pollHeaders } from '../jobs/hints.js';
import { isValidJobId, JOB_ID_RULE } from '../jobs/ids.js';
import type { JobService } from '../jobs/service.js';
import { STATUS_ROUTE } from './compat-errors.js';

const detailError = {
  type: 'object',
  required: ['detail'],
  properties: { detail: { type: 'string' } },
} as const;

/** Error responses for the OpenAPI document: this API's errors are `{"detail": "..."}`. */
function detailErrors(...statuses: number[]): Record<number, typeof detailError> {
  return Object.fromEntries(statuses.map((s) => [s, detailError]));
}

const DEFAULT_DELAY_SECONDS = 20;
const MAX_DELAY_SECONDS = 86400;
/** Decimal seconds, as people write them: no sign, exponent, hex, spaces or Infinity. */
const DECIMAL_SECONDS = /^\d{1,9}(\.\d{1,9})?$/;

/**
 * `delay_seconds` from the query, a form field or a JSON body: decimal
 * seconds from 0 to 86400, a JSON number in that range, or nothing (or an
 * empty value) for the default. Anything else (`0x10`, ` `, `[5]`, `true`, the
 * parameter twice) is refused rather than read as some number.
 */
function delaySeconds(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_DELAY_SECONDS;
  const range = `from 0 to ${MAX_DELAY_SECONDS}`;
  if (Array.isArray(raw)) {
    throw new ApiError('invalid_request', {
      message: `delay_seconds must be one number ${range}, given once`,
    });
  }
  const seconds =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && DECIMAL_SECONDS.test(raw)
        ? Number(raw)
        : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_DELAY_SECONDS) {
    const shown =
      typeof raw === 'string' ? JSON.stringify(raw.slice(0, 40)) : JSON.stringify(raw)?.slice(0, 40);
    throw new ApiError('invalid_request', {
      message: `delay_seconds must be decimal seconds ${range} (e.g. 10 or 2.5); got ${shown}`,
    });
  }
  return seconds;
}

/**
 * The original video-translation status API, kept exactly so that its
 * clients work unchanged: `POST /submit/{job_id}` makes a `simulate` job,
 * `GET /status/{job_id}` answers `{"result": "pending" | "completed" | "error"}`.
 * Errors here are `{"detail": "..."}`, as that API sent them, bad input 422:
 * the one error handler renders them so (compat-errors.ts), whatever raised them.
 */
export async function compatRoutes(
  app: FastifyInstance,
  { service }: { service: JobService },
): Promise<void> {
  await app.register(formbody);

  app.post<{
    Params: { job_id: string };
    Querystring: { delay_seconds?: unknown };
    Body: { delay_seconds?: unknown } | undefined;
  }>(
    '/submit/:job_id',
    {
      schema: {
        operationId: 'submitSimulatedJob',
        summary: 'Submit a simulated job (status API compatibility)',
        description:
          'delay_seconds (default 20) as a query parameter or form field. Answers 201 text/plain ' +
          '"Successfully submitted the job: <job_id>".',
        tags: ['compatibility'],
        params: { type: 'object', properties: { job_id: { type: 'string' } } },
        // No type: a repeated parameter (an array) reaches the handler, which says what is wrong in the API's shape.
        querystring: {
          type: 'object',
          properties: { delay_seconds: { description: 'Decimal seconds, 0 to 86400 (e.g. 10 or 2.5).' } },
        },
        response: { 201: { type: 'string' }, ...detailErrors(401, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const { job_id } = request.params;
      if (!isValidJobId(job_id)) {
        throw new ApiError('invalid_job_id', { message: `job_id must be ${JOB_ID_RULE}` });
      }
      const body = request.body && typeof request.body === 'object' ? request.body : {};
      const delay = delaySeconds(body.delay_seconds ?? request.query.delay_seconds);
      try {
        await service.create(request.tenant, {
          type: 'simulate',
          id: job_id,
          input: { duration_seconds: delay },
        });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'job_exists') {
          throw new ApiError('job_exists', { message: `Job ID ${job_id} already exists` });
        }
        throw err;
      }
      return reply
        .code(201)
        .type('text/plain; charset=utf-8')
        .send(`Successfully submitted the job: ${job_id}`);
    },
  );

  app.get<{ Params: { job_id: string } }>(
    STATUS_ROUTE,
    {
      schema: {
        operationId: 'getSimulatedJobResult',
        summary: "A job's result (status API compatibility)",
        tags: ['compatibility'],
        params: { type: 'object', properties: { job_id: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            required: ['result'],
            properties: { result: { type: 'string', enum: ['pending', 'completed', 'error'] } },
          },
          ...detailErrors(401, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const { job_id } = request.params;
      const job = isValidJobId(job_id) ? await service.find(request.tenant, job_id) : null;
      if (!job) throw new ApiError('job_not_found', { message: `Job ID ${job_id} could not be found` });
      const result =
        job.status === 'completed'
          ? 'completed'
          : job.status === 'queued' || job.status === 'running'
            ? 'pending'
            : 'error';
      return reply.headers(pollHeaders(job)).send({ result });
    },
  );
}
