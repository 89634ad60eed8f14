import type { FastifyInstance } from 'fastify';
import type { JsonObject, StoredJob } from '../../jobs/model.js';
import type { JobService } from '../../jobs/service.js';
import { sendMessageError } from './message-errors.js';
import { messageErrors } from './responses.js';
import { STARTED_MESSAGE, TEXT_TO_VIDEO_TAG, textToVideoView } from './text-to-video-view.js';

/** The newest jobs `GET /api/v1/jobs` lists, and the most bytes its body may take. */
export const JOB_LIST_LIMITS = Object.freeze({ count: 100, bytes: 1024 * 1024 });

/**
 * The text-to-video API's own routes under `/api/v1` (status and download are
 * shared, in api-v1.ts): `POST /generate` makes a `text.to_video` job of the
 * body (`text`, and the type's other fields if given), `GET /jobs` lists the
 * caller's, newest first.
 */
export function textToVideoRoutes(app: FastifyInstance, { service }: { service: JobService }): void {
  app.post<{ Body: JsonObject | undefined }>(
    '/generate',
    {
      // A body that is missing or not an object gets the API's own 400, below.
      attachValidation: true,
      schema: {
        operationId: 'generateVideo',
        summary: 'Start a text-to-video job',
        description:
          'The body is the input of a text.to_video job: `text`, and optionally `voice`, `background`, ' +
          '`width`, `height` (see GET /v1/types).',
        tags: [TEXT_TO_VIDEO_TAG],
        body: {
          type: 'object',
          properties: { text: { type: 'string', description: 'What is said and shown.' } },
          additionalProperties: true,
        },
        response: {
          202: {
            type: 'object',
            required: ['job_id', 'status', 'message'],
            properties: {
              job_id: { type: 'string' },
              status: { type: 'string', enum: ['queued'] },
              message: { type: 'string' },
            },
          },
          ...messageErrors(400, 401, 413, 415, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!body || typeof body !== 'object' || typeof body.text !== 'string' || body.text.trim() === '') {
        return sendMessageError(reply, 400, { error: 'No text provided in request body' });
      }
      const { job } = await service.create(request.tenant, { type: textToVideoView.type, input: body });
      return reply
        .code(202)
        .header('location', `/api/v1/status/${encodeURIComponent(job.id)}`)
        .send({ job_id: job.id, status: 'queued', message: STARTED_MESSAGE });
    },
  );

  app.get(
    '/jobs',
    {
      schema: {
        operationId: 'listTextToVideoJobs',
        summary: "The caller's text-to-video jobs, newest first",
        description:
          `At most the newest ${JOB_LIST_LIMITS.count} jobs, and fewer when their statuses would pass ` +
          `${JOB_LIST_LIMITS.bytes / 1024 / 1024} MiB; GET /v1/jobs?type=text.to_video pages through all of them.`,
        tags: [TEXT_TO_VIDEO_TAG],
        response: {
          200: {
            type: 'object',
            required: ['jobs'],
            properties: {
              jobs: {
                type: 'object',
                description: 'Job id -> status, newest first.',
                additionalProperties: { $ref: `${textToVideoView.statusSchema.$id}#` },
              },
            },
          },
          ...messageErrors(401, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const jobs = await service.list({
        tenant: request.tenant,
        type: [textToVideoView.type],
        limit: JOB_LIST_LIMITS.count,
      });
      return reply.type('application/json; charset=utf-8').send(jobListJson(jobs));
    },
  );
}

/**
 * `{"jobs": {id: status, …}}`, newest first, written by hand: an object built
 * in JavaScript would list ids that look like integers first. Jobs that would
 * take the body past {@link JOB_LIST_LIMITS}.bytes are left out, with all
 * older ones.
 */
export function jobListJson(jobs: readonly StoredJob[], { bytes: maxBytes } = JOB_LIST_LIMITS): string {
  const entries: string[] = [];
  let bytes = '{"jobs":{}}'.length;
  for (const job of jobs) {
    const entry = `${JSON.stringify(job.id)}:${JSON.stringify(textToVideoView.status(job))}`;
    const size = Buffer.byteLength(entry) + (entries.length > 0 ? 1 : 0);
    if (bytes + size > maxBytes) break;
    entries.push(entry);
    bytes += size;
  }
  return `{"jobs":{${entries.join(',')}}}`;
}
