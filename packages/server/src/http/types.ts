import type { FastifyInstance } from 'fastify';
import type { ProcessorRegistry } from '../processors/registry.js';
import { DEFAULT_QUEUE, DEFAULT_WORK } from '../queues/queues.js';
import { errors } from './schemas.js';

export function typeRoutes(app: FastifyInstance, { registry }: { registry: ProcessorRegistry }): void {
  app.get(
    '/v1/types',
    {
      schema: {
        operationId: 'listJobTypes',
        summary: 'The job types, their input schemas, and whether they can run here',
        tags: ['jobs'],
        response: {
          200: {
            type: 'object',
            properties: {
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['type', 'description', 'input_schema', 'queue', 'work', 'available'],
                  properties: {
                    type: { type: 'string' },
                    queue: {
                      type: 'string',
                      description: 'The queue its jobs run in unless the caller names another.',
                    },
                    work: {
                      type: 'string',
                      enum: ['cpu', 'waiting'],
                      description:
                        'cpu: bounded by cores; waiting: waits on something else, hundreds at once.',
                    },
                    description: { type: 'string' },
                    input_schema: { type: 'object', additionalProperties: true },
                    available: { type: 'boolean' },
                    unavailable_reason: { type: 'string' },
                  },
                },
              },
            },
          },
          ...errors(401, 429),
        },
      },
    },
    async () => ({
      data: registry.processors.map((p) => {
        const a = registry.availability(p.type);
        return {
          type: p.type,
          description: p.description,
          input_schema: p.inputSchema,
          queue: p.queue ?? DEFAULT_QUEUE,
          work: p.work ?? DEFAULT_WORK,
          available: a.available,
          ...(a.reason === undefined ? {} : { unavailable_reason: a.reason }),
        };
      }),
    }),
  );
}
