import type { FastifyInstance } from 'fastify';
import type { JobService } from '../jobs/service.js';
import { iso } from '../store/job-row.js';
import type { WebhookDelivery } from '../webhooks/model.js';
import { WEBHOOK_EVENTS } from '../webhooks/spec.js';
import { checkJobId } from './jobs.js';
import { errors, jobIdParams } from './schemas.js';

const deliverySchema = {
  $id: 'WebhookDelivery',
  type: 'object',
  required: [
    'id',
    'event',
    'url',
    'status',
    'attempt_count',
    'created_at',
    'next_attempt_at',
    'last_status_code',
    'last_error',
    'attempts',
  ],
  properties: {
    id: { type: 'string', description: 'The webhook-id header, the same on every attempt.' },
    event: { type: 'string', enum: [...WEBHOOK_EVENTS] },
    url: { type: 'string' },
    status: {
      type: 'string',
      enum: ['pending', 'delivered', 'failed', 'stopped'],
      description: 'failed: every retry was spent; stopped: the receiver answered 410 Gone.',
    },
    attempt_count: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    next_attempt_at: { type: ['string', 'null'], format: 'date-time', description: 'While pending.' },
    last_status_code: { type: ['integer', 'null'] },
    last_error: { type: ['string', 'null'] },
    attempts: {
      type: 'array',
      description: 'The most recent attempts, oldest first.',
      items: {
        type: 'object',
        required: ['at', 'status_code', 'error', 'duration_ms'],
        properties: {
          at: { type: 'string', format: 'date-time' },
          status_code: { type: ['integer', 'null'], description: 'null: no response (refused, timed out).' },
          error: { type: ['string', 'null'] },
          duration_ms: { type: 'integer' },
        },
      },
    },
  },
} as const;

function view(d: WebhookDelivery) {
  return {
    id: d.id,
    event: d.event,
    url: d.url,
    status: d.status,
    attempt_count: d.attempts,
    created_at: iso(d.created_at),
    next_attempt_at: iso(d.next_attempt_at),
    last_status_code: d.last_status,
    last_error: d.last_error,
    attempts: d.history.map((a) => ({ ...a, at: iso(a.at) })),
  };
}

/** A job's webhook deliveries, and sending one again. */
export function webhookRoutes(app: FastifyInstance, { service }: { service: JobService }): void {
  app.addSchema(deliverySchema);
  const ref = { $ref: 'WebhookDelivery#' } as const;

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id/webhook-deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: "A job's webhook deliveries: attempts, status codes, next try",
        tags: ['webhooks'],
        params: jobIdParams,
        response: {
          200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref } } },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => ({
      data: (await service.deliveries(request.tenant, checkJobId(request.params.id))).map(view),
    }),
  );

  app.post<{ Params: { id: string; delivery_id: string } }>(
    '/v1/jobs/:id/webhook-deliveries/:delivery_id/retry',
    {
      schema: {
        operationId: 'retryWebhookDelivery',
        summary: 'Send a webhook delivery again now',
        tags: ['webhooks'],
        params: {
          type: 'object',
          required: ['id', 'delivery_id'],
          properties: { ...jobIdParams.properties, delivery_id: { type: 'string', maxLength: 128 } },
        },
        response: { 202: ref, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const delivery = await service.retryDelivery(
        request.tenant,
        checkJobId(request.params.id),
        request.params.delivery_id,
      );
      return reply.code(202).send(view(delivery));
    },
  );
}
