import type { FastifyInstance } from 'fastify';
import type { StoredJob } from '../jobs/model.js';
import type { JobService } from '../jobs/service.js';
import { isTerminal } from '../jobs/states.js';
import { checkJobId, listParam, statusFilter } from './jobs.js';
import { errors, jobIdParams } from './schemas.js';
import { jobJson } from './serialize.js';
import { openSse, type SseStream } from './sse.js';

export interface StreamRouteOptions {
  service: JobService;
  keepaliveMs: number;
  /** Every open stream, so shutdown can end them. */
  streams: Set<SseStream>;
}

function lastEventId(header: string | string[] | undefined, query: string | undefined): number {
  const raw = (Array.isArray(header) ? header[0] : header) ?? query;
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export function streamRoutes(
  app: FastifyInstance,
  { service, keepaliveMs, streams }: StreamRouteOptions,
): void {
  app.get<{ Params: { id: string }; Querystring: { last_event_id?: string } }>(
    '/v1/jobs/:id/events',
    {
      // A stream has no end for HEAD to wait for: Node holds a HEAD answer's headers until the end.
      exposeHeadRoute: false,
      schema: {
        operationId: 'streamJobEvents',
        summary: "Server-Sent Events of one job's changes",
        description:
          '`event: job`, `id: <version>`, `data: <job>` on each change (a slow reader gets the newest only); ' +
          'a comment ping every 15 s; ends after the terminal event. Send Last-Event-ID to resume.',
        tags: ['events'],
        params: jobIdParams,
        querystring: {
          type: 'object',
          properties: {
            last_event_id: { type: 'string', description: 'For clients that cannot set Last-Event-ID.' },
          },
        },
        produces: ['text/event-stream'],
        response: { 200: { description: 'text/event-stream', type: 'string' }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const id = checkJobId(request.params.id);
      let sent = lastEventId(request.headers['last-event-id'], request.query.last_event_id);
      // Watch before reading so that no change is lost between the two.
      const watch = service.watch(request.tenant, id);
      let job: StoredJob;
      try {
        job = await service.get(request.tenant, id);
      } catch (err) {
        watch.close();
        throw err;
      }
      const stream = openSse(reply, { keepaliveMs, open: streams });
      void stream.done.then(() => watch.close());
      watch.follow(job, (snapshot) => {
        if (snapshot.version > sent) {
          sent = snapshot.version;
          stream.send({ event: 'job', id: snapshot.version, data: jobJson(snapshot) });
        }
        if (isTerminal(snapshot.status)) stream.end();
      });
    },
  );

  app.get<{ Querystring: { type?: string | string[]; status?: string | string[] } }>(
    '/v1/events',
    {
      // A stream has no end for HEAD to wait for: Node holds a HEAD answer's headers until the end.
      exposeHeadRoute: false,
      schema: {
        operationId: 'streamEvents',
        summary: "Server-Sent Events of every change to the caller's jobs",
        description: 'For dashboards: `event: job` with the job as data, filtered by ?type= and ?status=.',
        tags: ['events'],
        querystring: {
          type: 'object',
          properties: {
            type: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            status: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          },
        },
        produces: ['text/event-stream'],
        response: { 200: { description: 'text/event-stream', type: 'string' }, ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const types = listParam(request.query.type);
      const statuses = statusFilter(request.query.status);
      const tenant = request.tenant;
      const stream = openSse(reply, { keepaliveMs, open: streams });
      const unsubscribe = service.subscribeAll((job) => {
        if (job.tenant !== tenant) return;
        if (types && !types.includes(job.type)) return;
        if (statuses && !statuses.includes(job.status)) return;
        stream.send({ event: 'job', data: jobJson(job), key: job.id });
      });
      stream.done.then(unsubscribe);
    },
  );
}
