import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OPERATOR_ROUTE, WORKER_ROUTE } from '../auth/plugin.js';
import { ApiError } from '../errors.js';
import { type JsonObject, publicJob } from '../jobs/model.js';
import type { TypeDeclaration } from '../remote/remote-types.js';
import {
  jobRef,
  MAX_CLAIM_WAIT_MS,
  type WorkerReport,
  type WorkerService,
  type WorkerView,
} from '../remote/workers.js';
import { clientGone } from './jobs.js';
import { errors, jobRef as jobSchemaRef } from './schemas.js';

/** A worker's own error codes are snake_case, as the server's are. */
const ERROR_CODE_PATTERN = '^[a-z][a-z0-9_]{0,63}$';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const workerParams = {
  type: 'object',
  required: ['worker'],
  properties: { worker: { type: 'string', maxLength: 64 } },
} as const;
const leaseParams = {
  type: 'object',
  required: ['worker', 'ref'],
  properties: {
    worker: { type: 'string', maxLength: 64 },
    ref: { type: 'string', maxLength: 200, description: "The claim's ref of the job: tenant:id." },
  },
} as const;
const leaseHeaders = {
  type: 'object',
  properties: {
    'lease-token': { type: 'string', maxLength: 200, description: "The job's lease token, from the claim." },
  },
} as const;
/** What a heartbeat and an outcome may report, as a built-in processor does. */
const reportProperties = {
  progress: { type: 'number', minimum: 0, maximum: 100 },
  stage: { type: ['string', 'null'], maxLength: 200 },
  message: { type: ['string', 'null'], maxLength: 2000 },
  eta_seconds: { type: ['number', 'null'], minimum: 0, maximum: 31_536_000 },
  logs: { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 10_000 } },
} as const;

const workerSchema = {
  type: 'object',
  required: ['id', 'name', 'types', 'live', 'registered_at', 'last_seen_at', 'running'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    types: { type: 'array', items: { type: 'string' } },
    live: { type: 'boolean', description: 'Seen within three heartbeat intervals.' },
    registered_at: { type: 'string', format: 'date-time' },
    last_seen_at: { type: 'string', format: 'date-time' },
    running: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          tenant: { type: 'string' },
          id: { type: 'string' },
          type: { type: 'string' },
          started_at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;

function view({ worker, live, running }: WorkerView) {
  return {
    id: worker.id,
    name: worker.name,
    types: worker.types,
    live,
    registered_at: iso(worker.registeredAt),
    last_seen_at: iso(worker.lastSeenAt),
    running: running.map((h) => ({ tenant: h.tenant, id: h.id, type: h.type, started_at: iso(h.startedAt) })),
  };
}

/** The lease token of a call about a job: 400 `invalid_lease` without one. */
function tokenOf(request: FastifyRequest): string {
  const token = request.headers['lease-token'];
  if (typeof token !== 'string' || token.length === 0) {
    throw new ApiError('invalid_lease', {
      message: "Send the job's lease token from the claim in the Lease-Token header.",
    });
  }
  return token;
}

/**
 * The remote-worker protocol (docs/workers.md): registration, long-poll
 * claims, heartbeats, artifacts and outcomes for worker keys; the list of
 * workers for operators.
 */
export async function workerRoutes(
  app: FastifyInstance,
  { workers }: { workers: WorkerService },
): Promise<void> {
  const worker = (request: FastifyRequest<{ Params: { worker: string } }>) =>
    workers.worker(request.params.worker, request.apiKeyId);

  app.post<{ Body: { name?: string; types: TypeDeclaration[] } }>(
    '/v1/workers',
    {
      config: { roles: WORKER_ROUTE },
      schema: {
        operationId: 'registerWorker',
        summary: 'Register a remote worker and declare the job types it serves',
        tags: ['workers'],
        body: {
          type: 'object',
          required: ['types'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 128 },
            types: {
              type: 'array',
              minItems: 1,
              maxItems: 50,
              items: {
                type: 'object',
                required: ['type', 'input_schema'],
                additionalProperties: false,
                properties: {
                  type: { type: 'string', maxLength: 128 },
                  description: { type: 'string', maxLength: 2000 },
                  input_schema: { type: 'object', additionalProperties: true },
                  queue: { type: 'string', maxLength: 128 },
                },
              },
            },
          },
        },
        response: {
          201: { type: 'object', additionalProperties: true },
          ...errors(400, 401, 403, 409, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const registered = await workers.register(request.apiKeyId, request.body);
      return reply.code(201).send({
        id: registered.id,
        name: registered.name,
        types: registered.types,
        lease_seconds: workers.leaseMs / 1000,
        heartbeat_seconds: workers.heartbeatMs / 1000,
        max_wait_seconds: MAX_CLAIM_WAIT_MS / 1000,
      });
    },
  );

  app.get(
    '/v1/workers',
    {
      config: { roles: OPERATOR_ROUTE },
      schema: {
        operationId: 'listWorkers',
        summary: 'The remote workers: what they serve, what they run, when they were last seen (operators)',
        tags: ['workers'],
        response: {
          200: { type: 'object', properties: { data: { type: 'array', items: workerSchema } } },
          ...errors(401, 403, 429),
        },
      },
    },
    async () => ({ data: (await workers.list()).map(view) }),
  );

  app.delete<{ Params: { worker: string } }>(
    '/v1/workers/:worker',
    {
      config: { roles: WORKER_ROUTE },
      schema: {
        operationId: 'removeWorker',
        summary: 'A worker that stops says so',
        tags: ['workers'],
        params: workerParams,
        response: { 204: { type: 'null' }, ...errors(401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      await workers.remove(await worker(request));
      return reply.code(204).send();
    },
  );

  app.post<{
    Params: { worker: string };
    Body: { max_jobs?: number; wait_seconds?: number; types?: string[] };
  }>(
    '/v1/workers/:worker/claim',
    {
      config: { roles: WORKER_ROUTE },
      schema: {
        operationId: 'claimJobs',
        summary: 'Claim jobs: at once when some are queued, else as soon as one is (long-poll)',
        tags: ['workers'],
        params: workerParams,
        // Every field has a default: no body at all is a claim of one job with the default wait.
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            max_jobs: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
            wait_seconds: { type: 'number', minimum: 0, maximum: MAX_CLAIM_WAIT_MS / 1000, default: 30 },
            types: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 128 } },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              jobs: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    ref: { type: 'string' },
                    lease_token: { type: 'string' },
                    lease_expires_at: { type: 'string', format: 'date-time' },
                    tenant: { type: 'string' },
                    job: jobSchemaRef,
                  },
                },
              },
            },
          },
          ...errors(400, 401, 403, 404, 409, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const holder = await worker(request);
      const { max_jobs = 1, wait_seconds = 30, types } = request.body ?? {};
      const leases = await workers.claim(
        holder,
        { maxJobs: max_jobs, waitMs: wait_seconds * 1000, types },
        clientGone(reply),
      );
      return {
        jobs: leases.map(({ job, token }) => ({
          ref: jobRef(job),
          lease_token: token,
          lease_expires_at: iso(job.lease_expires_at),
          tenant: job.tenant,
          job: publicJob(job),
        })),
      };
    },
  );

  type LeaseCall<B = unknown> = { Params: { worker: string; ref: string }; Body: B };
  const leaseSchema = (operationId: string, summary: string, body: object, ok: object) => ({
    config: { roles: WORKER_ROUTE },
    schema: {
      operationId,
      summary,
      tags: ['workers'],
      params: leaseParams,
      headers: leaseHeaders,
      body,
      response: { 200: ok, ...errors(400, 401, 403, 404, 409, 429) },
    },
  });

  app.post<LeaseCall<WorkerReport>>(
    '/v1/workers/:worker/jobs/:ref/heartbeat',
    leaseSchema(
      'heartbeatJob',
      "Extend a job's lease, with progress, stage, message, eta and log lines; says whether it was canceled",
      { type: ['object', 'null'], additionalProperties: false, properties: reportProperties },
      {
        type: 'object',
        properties: {
          canceled: { type: 'boolean' },
          lease_expires_at: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    ),
    async (request) => {
      const holder = await worker(request);
      const beat = await workers.heartbeat(holder, request.params.ref, tokenOf(request), request.body ?? {});
      return { canceled: beat.canceled, lease_expires_at: iso(beat.leaseExpiresAt) };
    },
  );

  app.post<LeaseCall<WorkerReport & { output: JsonObject }>>(
    '/v1/workers/:worker/jobs/:ref/complete',
    leaseSchema(
      'completeJob',
      'Complete a job with its output',
      {
        type: 'object',
        required: ['output'],
        additionalProperties: false,
        properties: { output: { type: 'object', additionalProperties: true }, ...reportProperties },
      },
      jobSchemaRef,
    ),
    async (request) => {
      const holder = await worker(request);
      return publicJob(await workers.complete(holder, request.params.ref, tokenOf(request), request.body));
    },
  );

  app.post<
    LeaseCall<
      WorkerReport & { error: { code: string; message: string }; retry?: boolean; retry_in_seconds?: number }
    >
  >(
    '/v1/workers/:worker/jobs/:ref/fail',
    leaseSchema(
      'failJob',
      'Fail a job with an error code and message; retried when asked and attempts remain',
      {
        type: 'object',
        required: ['error'],
        additionalProperties: false,
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            additionalProperties: false,
            properties: {
              code: { type: 'string', pattern: ERROR_CODE_PATTERN },
              message: { type: 'string', maxLength: 2000 },
            },
          },
          retry: { type: 'boolean' },
          retry_in_seconds: { type: 'number', minimum: 0, maximum: 86_400 },
          ...reportProperties,
        },
      },
      jobSchemaRef,
    ),
    async (request) => {
      const holder = await worker(request);
      return publicJob(await workers.fail(holder, request.params.ref, tokenOf(request), request.body));
    },
  );

  app.post<LeaseCall<null>>(
    '/v1/workers/:worker/jobs/:ref/release',
    leaseSchema(
      'releaseJob',
      'Give a job back to its queue without counting the attempt',
      { type: ['object', 'null'] },
      jobSchemaRef,
    ),
    async (request) => {
      const holder = await worker(request);
      return publicJob(await workers.release(holder, request.params.ref, tokenOf(request)));
    },
  );

  // Its own scope: the body is any type, streamed to disk rather than parsed.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.put<{ Params: { worker: string; ref: string; name: string } }>(
      '/v1/workers/:worker/jobs/:ref/artifacts/:name',
      {
        config: { roles: WORKER_ROUTE },
        schema: {
          operationId: 'putArtifact',
          summary: "Upload a file into a running job's artifacts (streamed, up to --max-file-size)",
          tags: ['workers'],
          params: {
            type: 'object',
            required: ['worker', 'ref', 'name'],
            properties: { ...leaseParams.properties, name: { type: 'string', maxLength: 200 } },
          },
          headers: leaseHeaders,
          response: {
            200: { type: 'object', additionalProperties: true },
            ...errors(400, 401, 403, 404, 409, 413, 429),
          },
        },
      },
      async (request, reply) => {
        const contentType = (request.headers['content-type'] ?? 'application/octet-stream')
          .split(';', 1)[0]!
          .trim();
        try {
          const holder = await worker(request);
          return await workers.putArtifact(holder, request.params.ref, tokenOf(request), {
            name: request.params.name,
            contentType: contentType || 'application/octet-stream',
            body: request.raw,
          });
        } catch (err) {
          // Refused before the body ended (too large, a lost lease, cut short): the rest is dropped and
          // the connection closed, or its unread bytes would be read as the next request.
          if (!request.raw.complete) reply.header('connection', 'close');
          throw err;
        }
      },
    );
  });
}
