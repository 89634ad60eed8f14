import type { FastifyInstance } from 'fastify';
import type { ProcessorRegistry } from '../processors/registry.js';
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
                  required: ['type', 'description', 'input_schema', 'available'],
                  properties: {
                    type: { type: 'string' },
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
          available: a.available,
          ...(a.reason === undefined ? {} : { unavailable_reason: a.reason }),
        };
      }),
    }),
  );
}
