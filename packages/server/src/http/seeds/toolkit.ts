import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import { isValidJobId } from '../../jobs/ids.js';
import type { JsonObject } from '../../jobs/model.js';
import type { JobService } from '../../jobs/service.js';
import type { WebhookRenderer } from '../../webhooks/model.js';
import { sendArtifactFile } from '../artifacts.js';
import { renderErrorsAsMessages, sendMessageError } from './message-errors.js';
import { binary, messageErrors } from './responses.js';
import { readStorageName } from './storage-names.js';
import { statusEnvelope, submitEnvelope, toolkitEnvelopeSchema } from './toolkit-envelope.js';

export const IMAGE_TO_VIDEO_TAG = 'image-to-video';

/** The webhook format whose body is the status envelope (see {@link toolkitWebhook}). */
export const TOOLKIT_STATUS_FORMAT = 'toolkit.job_status';

const envelopeRef = { $ref: `${toolkitEnvelopeSchema.$id}#` } as const;

/** The origin a request came to, against which links in answers are written. */
function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * The image-to-video (toolkit) API: `POST /v1/image/convert/video` makes an
 * `image.to_video` job, `POST /v1/toolkit/job/status` answers any of the
 * caller's jobs in the API's envelope, `GET /v1/storage/download/{filename}`
 * serves a finished job's file. `webhook_url` gets the status envelope when
 * the job ends, through the webhook outbox (the same URL rules as every
 * webhook; signed when a secret is set). Errors are `{"error": "…"}`.
 */
export async function toolkitRoutes(
  app: FastifyInstance,
  { service }: { service: JobService },
): Promise<void> {
  renderErrorsAsMessages(app);
  app.addSchema(toolkitEnvelopeSchema);
  const tags = [IMAGE_TO_VIDEO_TAG];

  app.post<{ Body: JsonObject & { id?: string; webhook_url?: string } }>(
    '/v1/image/convert/video',
    {
      schema: {
        operationId: 'convertImageToVideo',
        summary: 'Start an image-to-video job',
        description:
          'image_url, length, frame_rate and zoom_speed are the input of an image.to_video job (width and height ' +
          'too, see GET /v1/types); id is echoed in every envelope; webhook_url receives the status envelope ' +
          'when the job ends.',
        tags,
        body: {
          type: 'object',
          required: ['image_url'],
          properties: {
            image_url: { type: 'string', description: 'An http, https or data: URL of the image.' },
            length: { type: 'integer', description: 'Seconds of video (default 10).' },
            frame_rate: { type: 'integer', description: 'Frames per second (default 30).' },
            zoom_speed: { type: 'number', description: 'Zoom in percent per second (default 3).' },
            webhook_url: {
              type: 'string',
              maxLength: 2048,
              description: 'Where to POST the status when the job ends.',
            },
            id: { type: 'string', maxLength: 256, description: 'Your own reference, echoed back as id.' },
          },
          additionalProperties: true,
        },
        response: { 202: envelopeRef, ...messageErrors(400, 401, 413, 415, 429, 500) },
      },
    },
    async (request, reply) => {
      const { id, webhook_url, ...input } = request.body;
      const { job } = await service
        .create(request.tenant, {
          type: 'image.to_video',
          input,
          metadata: id === undefined ? {} : { id },
          webhook:
            webhook_url === undefined
              ? undefined
              : { url: webhook_url, format: { name: TOOLKIT_STATUS_FORMAT, origin: originOf(request) } },
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.code === 'invalid_webhook') {
            throw new ApiError('invalid_webhook', {
              message: err.message.replace('webhook.url', 'webhook_url'),
            });
          }
          throw err;
        });
      return reply
        .code(202)
        .send(
          submitEnvelope(job, {
            queueLength: await service.queuedCount(job.queue),
            origin: originOf(request),
          }),
        );
    },
  );

  app.post<{ Body: { job_id: string } }>(
    '/v1/toolkit/job/status',
    {
      schema: {
        operationId: 'getToolkitJobStatus',
        summary: "A job's status in the toolkit envelope",
        description:
          'job_status is queued (waiting for a worker), running, done (with where to download the result) or ' +
          'error (failed or canceled, with why).',
        tags,
        body: {
          type: 'object',
          required: ['job_id'],
          properties: { job_id: { type: 'string', maxLength: 1024 } },
        },
        response: {
          200: envelopeRef,
          404: {
            type: 'object',
            required: ['error', 'job_id'],
            properties: { error: { type: 'string' }, job_id: { type: 'string' } },
          },
          ...messageErrors(400, 401, 415, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const { job_id } = request.body;
      const job = isValidJobId(job_id) ? await service.find(request.tenant, job_id) : null;
      if (!job) return reply.code(404).send({ error: 'Job not found', job_id });
      return reply.send(
        statusEnvelope(job, { queueLength: await service.queuedCount(job.queue), origin: originOf(request) }),
      );
    },
  );

  app.get<{ Params: { filename: string } }>(
    '/v1/storage/download/:filename',
    {
      exposeHeadRoute: false,
      schema: {
        operationId: 'downloadToolkitFile',
        summary: "A finished job's file, by the filename its status gave",
        tags,
        params: {
          type: 'object',
          required: ['filename'],
          properties: { filename: { type: 'string', description: 'e.g. video_<job_id>.mp4' } },
        },
        response: {
          200: binary('The file, as an attachment under the requested name.'),
          206: binary('The requested byte range.'),
          ...messageErrors(401, 404, 416, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const { filename } = request.params;
      for (const { jobId, artifact } of readStorageName(filename)) {
        const job = await service.find(request.tenant, jobId);
        if (!job) continue;
        const { file } = await service.artifact(request.tenant, jobId, artifact);
        if (file) return sendArtifactFile(request, reply, { job, name: artifact, file, filename });
      }
      return sendMessageError(reply, 404, { error: 'File not found', filename });
    },
  );
}

/**
 * The webhook body of a toolkit job: its status envelope as the change that
 * ended it left it, with links against the origin it was submitted to.
 */
export function toolkitWebhook({ service }: { service: JobService }): WebhookRenderer {
  return async (delivery) =>
    JSON.stringify(
      statusEnvelope(delivery.job, {
        queueLength: await service.queuedCount(delivery.job.queue),
        origin: delivery.format?.origin ?? '',
      }),
    );
}
