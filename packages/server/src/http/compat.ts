import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from '../errors.js';
import { pollHeaders } from '../jobs/hints.js';
import { isValidJobId, JOB_ID_RULE } from '../jobs/ids.js';
import type { JobService } from '../jobs/service.js';
import { toApiError } from './errors.js';

const detailError = {
  type: 'object',
  required: ['detail'],
  properties: { detail: { type: 'string' } },
} as const;

/** Error responses for the OpenAPI document: this API's errors are `{"detail": "..."}`. */
function detailErrors(...statuses: number[]): Record<number, typeof detailError> {
  return Object.fromEntries(statuses.map((s) => [s, detailError]));
}

/**
 * The original video-translation status API, kept exactly so that its
 * clients work unchanged: `POST /submit/{job_id}` makes a `simulate` job,
 * `GET /status/{job_id}` answers `{"result": "pending" | "completed" | "error"}`.
 * Errors here are `{"detail": "..."}`, as that API sent them.
 */
export async function compatRoutes(
  app: FastifyInstance,
  { service }: { service: JobService },
): Promise<void> {
  await app.register(formbody);

  const detail = (reply: FastifyReply, status: number, text: string) =>
    reply.code(status).type('application/json').send({ detail: text });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const apiErr = toApiError(err);
    if (apiErr.statusCode >= 500) request.log.error({ err }, 'request failed');
    return reply
      .headers(apiErr.headers)
      .code(apiErr.statusCode)
      .type('application/json')
      .send({ detail: apiErr.message });
  });

  app.post<{
    Params: { job_id: string };
    Querystring: { delay_seconds?: string };
    Body: { delay_seconds?: string | number } | undefined;
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
        querystring: { type: 'object', properties: { delay_seconds: { type: 'string' } } },
        response: { 201: { type: 'string' }, ...detailErrors(401, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { job_id } = request.params;
      if (!isValidJobId(job_id)) {
        return detail(reply, 422, `job_id must be ${JOB_ID_RULE}`);
      }
      const body = request.body && typeof request.body === 'object' ? request.body : {};
      const raw = body.delay_seconds ?? request.query.delay_seconds;
      const delay = raw === undefined || raw === '' ? 20 : Number(raw);
      if (!Number.isFinite(delay) || delay < 0 || delay > 86400) {
        return detail(reply, 422, 'delay_seconds must be a number of seconds from 0 to 86400');
      }
      try {
        await service.create(request.tenant, {
          type: 'simulate',
          id: job_id,
          input: { duration_seconds: delay },
        });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'job_exists') {
          return detail(reply, 409, `Job ID ${job_id} already exists`);
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
    '/status/:job_id',
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
      if (!job) return detail(reply, 404, `Job ID ${job_id} could not be found`);
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
