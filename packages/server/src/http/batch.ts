import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import type { BatchOutcome, CreateJobParams, JobService } from '../jobs/service.js';
import { schemaError } from './errors.js';
import { checkCreateBody, createBody } from './jobs.js';
import { errorSchema, errors, jobRef, REQUEST_VALIDATION } from './schemas.js';
import { jobJson } from './serialize.js';

/** One item of a batch: a body of `POST /v1/jobs`, and the key that header would carry. */
const batchItem = {
  ...createBody,
  properties: {
    ...createBody.properties,
    idempotency_key: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description:
        "This item's Idempotency-Key: the same key and item give back the first job (status 200), another item is refused (409).",
    },
  },
} as const;

const batchBody = {
  type: 'object',
  required: ['jobs'],
  additionalProperties: false,
  properties: {
    jobs: {
      type: 'array',
      minItems: 1,
      items: batchItem,
      description:
        'Bodies of POST /v1/jobs, each with an optional idempotency_key; at most --max-batch-jobs (1000).',
    },
  },
} as const;

/** What the route itself checks: a list of objects. Each item is checked against {@link batchItem} on its own. */
const envelope = {
  ...batchBody,
  properties: { jobs: { type: 'array', minItems: 1, items: { type: 'object' } } },
} as const;

const batchResult = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'array',
      description: 'One result per item, in the order of the request.',
      items: {
        type: 'object',
        required: ['status'],
        properties: {
          status: {
            type: 'integer',
            description:
              "202: created. 200: an idempotency_key's job from before, returned again. 4xx: this item was refused (error says why); the others were not.",
          },
          job: jobRef,
          error: errorSchema.properties.error,
        },
      },
    },
  },
} as const;

// Fastify's own options, so that an item is read as POST /v1/jobs reads its body.
const ajv = new Ajv({ ...REQUEST_VALIDATION, strict: false });
const checkItem = ajv.compile<CreateJobParams & { idempotency_key?: string }>(batchItem);
const checkEnvelope = ajv.compile(envelope);

type Item = { params: CreateJobParams; idempotencyKey: string | undefined };

/** Item `i` as the service takes it, or why it is refused. */
function readItem(item: unknown, i: number): Item | ApiError {
  if (!checkItem(item)) return schemaError(checkItem.errors ?? [], `body.jobs[${i}]`);
  const { idempotency_key: idempotencyKey, ...params } = item;
  try {
    return { params: checkCreateBody(params), idempotencyKey };
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
}

/** One item's result, as JSON text: the job's memoised JSON is spliced in, not serialised again. */
function resultJson(outcome: BatchOutcome | ApiError): string {
  if (outcome instanceof ApiError) return errorJson(outcome);
  if (!outcome.ok) return errorJson(outcome.error);
  return `{"status":${outcome.replayed ? 200 : 202},"job":${jobJson(outcome.job)}}`;
}

function errorJson(err: ApiError): string {
  const error: { code: string; message: string; details?: unknown } = {
    code: err.code,
    message: err.message,
  };
  if (err.details !== undefined) error.details = err.details;
  return JSON.stringify({ status: err.statusCode, error });
}

export function batchRoutes(
  app: FastifyInstance,
  { service, maxJobs }: { service: JobService; maxJobs: number },
): void {
  app.post<{ Body: { jobs: unknown[] } }>(
    '/v1/jobs/batch',
    {
      schema: {
        operationId: 'createJobs',
        summary: 'Create many jobs at once',
        description:
          'Each item is what POST /v1/jobs takes, plus an optional idempotency_key, and is judged on its own: ' +
          'one refused item (invalid, a taken id, an idempotency conflict) keeps none of the others out. ' +
          'The jobs it accepts are written in one transaction. Always 200 once the list itself is read; ' +
          "each item's status says what became of it.",
        tags: ['jobs'],
        body: batchBody,
        response: { 200: batchResult, ...errors(400, 401, 413, 415, 429) },
      },
      // The route checks the list; each item is checked on its own by the handler, so that a bad one fails only itself.
      validatorCompiler: () => checkEnvelope,
    },
    async (request, reply) => {
      const { jobs } = request.body;
      if (jobs.length > maxJobs) {
        throw new ApiError('batch_too_large', {
          message: `The batch holds ${jobs.length} jobs; this server takes at most ${maxJobs} at once: send it in parts.`,
          details: { jobs: jobs.length, limit: maxJobs },
        });
      }
      const items = jobs.map(readItem);
      const valid = items.filter((item): item is Item => !(item instanceof ApiError));
      const created = await service.createMany(request.tenant, valid, {
        origin: `${request.protocol}://${request.host}`,
      });
      let next = 0;
      const results = items.map((item) => resultJson(item instanceof ApiError ? item : created[next++]!));
      // The body in one join, a flat string: one wrapped around the join would be copied flat again
      // when the reply measures it.
      results[0] = `{"data":[${results[0]}`;
      results[results.length - 1] += ']}';
      return reply.type('application/json; charset=utf-8').send(results.join(','));
    },
  );
}
