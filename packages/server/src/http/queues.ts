import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { JobService, QueueView } from '../jobs/service.js';
import { errors } from './schemas.js';

const nullableInt = (description: string) =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, description });

/** A queue as the API shows it. */
export const queueSchema = Type.Object(
  {
    name: Type.String(),
    kind: Type.Unsafe<'cpu' | 'waiting'>({
      type: 'string',
      enum: ['cpu', 'waiting'],
      description:
        'cpu: CPU-bound work, as many at once as cores; waiting: work that waits on something else.',
    }),
    types: Type.Array(Type.String(), { description: 'The job types whose default queue this is.' }),
    concurrency: Type.Integer({ description: 'Jobs of this queue each worker process runs at once.' }),
    global_limit: nullableInt('Jobs of this queue running at once across every process; null is no limit.'),
    tenant_limit: nullableInt("One tenant's jobs of this queue running at once; null is no limit."),
    remote: Type.Boolean({
      description:
        "Served by remote workers (docs/workers.md): its concurrency is 0, and runs what its workers' claims ask for.",
    }),
    paused: Type.Boolean({ description: 'Paused: running jobs finish, nothing new starts.' }),
    queued: Type.Integer({ description: 'Queued and due now.' }),
    scheduled: Type.Integer({ description: 'Queued with a run_at in the future.' }),
    running: Type.Integer(),
    oldest_queued_age_seconds: Type.Unsafe<number | null>({
      type: ['number', 'null'],
      description: 'How long the oldest due job has waited; null when none is waiting.',
    }),
    finished_last_minute: Type.Integer({
      description: 'Jobs that completed, failed or were canceled in the last 60 s.',
    }),
    scope: Type.Unsafe<'all' | 'tenant'>({
      type: 'string',
      enum: ['all', 'tenant'],
      description:
        "tenant: the counts are the caller's own jobs (a tenant key); all: every tenant's (an operator).",
    }),
  },
  { $id: 'Queue', description: 'A named queue: its limits, its state and its jobs now.' },
);

const queueRef = { $ref: 'Queue#' } as const;
const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 64 } },
} as const;

function view({ queue, paused, counts }: QueueView, scope: 'all' | 'tenant', now: number) {
  return {
    name: queue.name,
    kind: queue.kind,
    types: queue.types,
    concurrency: queue.concurrency,
    global_limit: queue.globalLimit,
    tenant_limit: queue.tenantLimit,
    remote: queue.remote,
    paused,
    queued: counts.queued,
    scheduled: counts.scheduled,
    running: counts.running,
    oldest_queued_age_seconds:
      counts.oldestDueAt === null ? null : Math.max(0, (now - counts.oldestDueAt) / 1000),
    finished_last_minute: counts.finishedLastMinute,
    scope,
  };
}

/** An operator sees every tenant's counts; a tenant key sees its own. */
function scopeOf(request: FastifyRequest): { tenant?: string; scope: 'all' | 'tenant' } {
  return request.operator ? { scope: 'all' } : { tenant: request.tenant, scope: 'tenant' };
}

/** `/v1/queues`: the queues, their counts, pause and resume. */
export function queueRoutes(app: FastifyInstance, { service }: { service: JobService }): void {
  app.addSchema(queueSchema);
  app.get(
    '/v1/queues',
    {
      schema: {
        operationId: 'listQueues',
        summary: 'The queues, their limits and their counts',
        tags: ['queues'],
        response: {
          200: {
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: queueRef } },
          },
          ...errors(401, 429),
        },
      },
    },
    async (request) => {
      const { tenant, scope } = scopeOf(request);
      const now = Date.now();
      return { data: (await service.queues({ tenant })).map((q) => view(q, scope, now)) };
    },
  );
  app.get<{ Params: { name: string } }>(
    '/v1/queues/:name',
    {
      schema: {
        operationId: 'getQueue',
        summary: 'One queue',
        tags: ['queues'],
        params: nameParams,
        response: { 200: queueRef, ...errors(401, 404, 429) },
      },
    },
    async (request) => {
      const { tenant, scope } = scopeOf(request);
      return view(await service.queue(request.params.name, { tenant }), scope, Date.now());
    },
  );
  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: { name: string } }>(
      `/v1/queues/:name/${action}`,
      {
        schema: {
          operationId: `${action}Queue`,
          summary:
            action === 'pause'
              ? 'Pause a queue: running jobs finish, nothing new starts (operators)'
              : 'Resume a paused queue (operators)',
          tags: ['queues'],
          params: nameParams,
          response: { 200: queueRef, ...errors(401, 403, 404, 429) },
        },
      },
      async (request) => {
        if (!request.operator) {
          throw new ApiError('forbidden', {
            message: `Only an operator key may ${action} a queue; start the server with --operator-keys.`,
          });
        }
        const queue = await service.setPaused(request.params.name, action === 'pause');
        return view(queue, 'all', Date.now());
      },
    );
  }
}
