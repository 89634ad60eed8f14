import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { JobService } from '../jobs/service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import { errorRef, errors } from './schemas.js';

/**
 * Probes answer no 4xx of their own, but a request that is not valid HTTP, or
 * too slow or large to read, is refused before it reaches any route.
 */
const unreadable = {
  '4xx': { ...errorRef, description: 'invalid_request, request_timeout, headers_too_large' },
};

export interface HealthOptions {
  service: JobService;
  /** The job types, to say which can run here. */
  registry: ProcessorRegistry;
  config: Config;
  metrics: Metrics;
  /** True once shutdown began: readiness fails so balancers stop sending traffic. */
  closing: () => boolean;
}

export function healthRoutes(
  app: FastifyInstance,
  { service, registry, config, metrics, closing }: HealthOptions,
): void {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getLiveness',
        summary: 'Liveness: the process answers',
        tags: ['operations'],
        security: [],
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, ...unreadable },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: the store answers; which job types can run here',
        tags: ['operations'],
        security: [],
        response: {
          ...unreadable,
          '2xx': { type: 'object', additionalProperties: true },
          503: { type: 'object', additionalProperties: true },
        },
      },
    },
    async (_request, reply) => {
      const types = Object.fromEntries(registry.types.map((t) => [t, registry.availability(t)]));
      let store = 'ok';
      try {
        await service.ping();
      } catch (err) {
        store = `unreachable: ${(err as Error).message}`;
      }
      const ready = store === 'ok' && !closing();
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : closing() ? 'shutting_down' : 'unavailable',
        role: config.role,
        store,
        // How this process hears of changes made elsewhere: 'local' (SQLite), or the LISTEN
        // connection's state; while 'reconnecting', waiters catch up once it is back.
        feed: service.feedState,
        types,
      });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        tags: ['operations'],
        response: {
          200: {
            description: 'The Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errors(401, 403),
        },
      },
    },
    async (request, reply) => {
      // Its counts are every tenant's: with API keys on, an operator's to read.
      if (!request.operator) {
        throw new ApiError('forbidden', {
          message:
            '/metrics counts every tenant\'s jobs: it needs an operator key (--operator-keys, or a keys file entry with "role": "operator"); the API key is a tenant key.',
        });
      }
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
