import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { JobService } from '../jobs/service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ProcessorRegistry } from '../processors/registry.js';

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
        summary: 'Liveness: the process answers',
        tags: ['operations'],
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the store answers; which job types can run here',
        tags: ['operations'],
        response: {
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
    { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] } },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
