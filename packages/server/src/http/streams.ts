import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
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
  /** The most jobs one stream of many follows (--max-batch-jobs, as a batch may make). */
  maxJobs: number;
}

/** Jobs read at once when a stream of many begins: their snapshots are sent before the next are read. */
const READ_CHUNK = 100;

function lastEventId(header: string | string[] | undefined, query: string | undefined): number {
  const raw = (Array.isArray(header) ? header[0] : header) ?? query;
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

export function streamRoutes(
  app: FastifyInstance,
  { service, keepaliveMs, streams, maxJobs }: StreamRouteOptions,
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

  app.post<{ Body: { ids: string[]; status?: string[] } }>(
    '/v1/jobs/events',
    {
      schema: {
        operationId: 'streamManyJobEvents',
        summary: "Server-Sent Events of many jobs' changes, until every one has ended",
        description:
          "`event: job` with each job's current snapshot, then each change (a slow reader gets the newest of each job); " +
          '`event: missing` (`{"id"}`) for an id with no job of the caller\'s; ' +
          '`event: end` (`{"jobs", "missing"}`) once every job is terminal or missing, and the stream ends; ' +
          "`status` sends only the snapshots in those states (the terminal ones: only each job's end). " +
          'A comment ping every 15 s. After a drop, ask again for the jobs not yet seen to end.',
        tags: ['events'],
        body: {
          type: 'object',
          required: ['ids'],
          additionalProperties: false,
          properties: {
            ids: {
              type: 'array',
              minItems: 1,
              items: { type: 'string' },
              description:
                'The jobs to follow; at most --max-batch-jobs (1000). An id given twice is followed once.',
            },
            status: {
              type: 'array',
              minItems: 1,
              items: { type: 'string' },
              description:
                'Send only the snapshots in these states, such as the terminal ones; the stream still ends once every job has.',
            },
          },
        },
        produces: ['text/event-stream'],
        response: { 200: { description: 'text/event-stream', type: 'string' }, ...errors(400, 401, 413) },
      },
    },
    async (request, reply) => {
      const ids = [...new Set(request.body.ids)];
      if (ids.length > maxJobs) {
        throw new ApiError('batch_too_large', {
          message: `The request names ${ids.length} jobs; this server follows at most ${maxJobs} in one stream: open more than one.`,
          details: { jobs: ids.length, limit: maxJobs },
        });
      }
      for (const id of ids) checkJobId(id);
      const statuses = statusFilter(request.body.status);
      const tenant = request.tenant;
      // Watch before reading so that no change is lost between the two.
      const watches = new Map(ids.map((id) => [id, service.watch(tenant, id)]));
      const closeAll = () => {
        for (const watch of watches.values()) watch.close();
      };
      let first: Map<string, StoredJob>;
      try {
        first = await service.findMany(tenant, ids.slice(0, READ_CHUNK));
      } catch (err) {
        closeAll();
        throw err;
      }
      const stream = openSse(reply, { keepaliveMs, open: streams });
      void stream.done.then(closeAll);
      const tally = { open: ids.length, missing: 0 };
      const settle = (id: string) => {
        watches.get(id)!.close();
        if (--tally.open > 0) return;
        stream.send({
          event: 'end',
          data: JSON.stringify({ jobs: ids.length - tally.missing, missing: tally.missing }),
        });
        stream.end();
      };
      const follow = (id: string, job: StoredJob | undefined) => {
        if (!job) {
          tally.missing++;
          stream.send({ event: 'missing', data: JSON.stringify({ id }), key: id });
          settle(id);
          return;
        }
        watches.get(id)!.follow(job, (snapshot) => {
          if (!statuses || statuses.includes(snapshot.status))
            stream.send({ event: 'job', data: jobJson(snapshot), key: id });
          if (isTerminal(snapshot.status)) settle(id);
        });
      };
      for (let at = 0; at < ids.length && !stream.closed; at += READ_CHUNK) {
        const chunk = ids.slice(at, at + READ_CHUNK);
        let found = first;
        if (at > 0) {
          try {
            found = await service.findMany(tenant, chunk);
          } catch (err) {
            // The reply has begun: the reader sees the stream break, and asks again.
            request.log.warn({ err }, 'could not read the jobs of an event stream');
            reply.raw.destroy();
            return;
          }
        }
        for (const id of chunk) if (!stream.closed) follow(id, found.get(id));
      }
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
