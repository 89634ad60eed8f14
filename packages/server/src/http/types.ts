import type { FastifyInstance } from 'fastify';
import { ANY_ROLE } from '../auth/plugin.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import { DEFAULT_QUEUE, DEFAULT_WORK } from '../queues/queues.js';
import { errors } from './schemas.js';

export function typeRoutes(
  app: FastifyInstance,
  {
    registry,
    servedTypes,
  }: {
    registry: ProcessorRegistry;
    /** The remote types some live worker serves now. */
    servedTypes: () => Promise<Set<string>>;
  },
): void {
  app.get(
    '/v1/types',
    {
      // Workers read the schemas of the types they serve too.
      config: { roles: ANY_ROLE },
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
                  required: ['type', 'description', 'input_schema', 'queue', 'work', 'available', 'remote'],
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
                    available: {
                      type: 'boolean',
                      description:
                        'Whether its jobs can run now: its tools are installed, or (remote) a live worker serves it. Jobs of an unavailable type still queue.',
                    },
                    remote: { type: 'boolean', description: 'Served by remote workers (docs/workers.md).' },
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
    async () => {
      const served = registry.processors.some((p) => registry.isRemote(p.type))
        ? await servedTypes()
        : new Set();
      return {
        data: registry.processors.map((p) => {
          const remote = registry.isRemote(p.type);
          const a = remote
            ? served.has(p.type)
              ? { available: true }
              : {
                  available: false,
                  reason: 'No live remote worker serves it; its jobs queue until one claims them.',
                }
            : registry.availability(p.type);
          return {
            type: p.type,
            description: p.description,
            input_schema: p.inputSchema,
            queue: p.queue ?? DEFAULT_QUEUE,
            work: p.work ?? DEFAULT_WORK,
            available: a.available,
            remote,
            ...(a.reason === undefined ? {} : { unavailable_reason: a.reason }),
          };
        }),
      };
    },
  );
}
