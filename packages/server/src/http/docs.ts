import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonObject } from '../jobs/model.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import { servedSpec } from './openapi.js';

const REDOC_BUNDLE = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

const REDOC_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>longrun API</title>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`;

/** Redoc styles itself with inline styles and runs its search in a worker made from a blob. */
const REDOC_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const TAGS = [
  { name: 'jobs', description: 'Submit jobs, read them, cancel and delete them, fetch their files.' },
  {
    name: 'files',
    description:
      'Upload large inputs (streamed) and name them in job inputs by id; list, read and delete them.',
  },
  { name: 'events', description: 'Server-Sent Events of job changes.' },
  {
    name: 'queues',
    description: 'Named queues: their limits and counts; operators pause and resume them.',
  },
  { name: 'webhooks', description: "A job's webhook deliveries (Standard Webhooks)." },
  {
    name: 'compatibility',
    description: 'The video-translation simulator status API, byte for byte: POST /submit, GET /status.',
  },
  {
    name: 'text-to-video',
    description:
      'The text-to-video API under /api/v1: generate, status, download, jobs. Errors are {"error": "…"}. ' +
      'Its jobs are text.to_video jobs, also seen through /v1/jobs.',
  },
  {
    name: 'image-to-video',
    description:
      'The image-to-video (toolkit) API: convert, job status, storage download, in its response envelope; ' +
      'webhook_url gets the status envelope when the job ends. Its jobs are image.to_video jobs.',
  },
  { name: 'operations', description: 'Probes and metrics.' },
];

/**
 * `/openapi.json`, generated from the route schemas and completed when served
 * (this server's address, the job types registered now), browsable at `/docs`
 * (Swagger UI) and `/redoc` (Redoc); both pages load only this server's files.
 */
export async function registerDocs(
  app: FastifyInstance,
  { registry }: { registry: ProcessorRegistry },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'longrun',
        version: '1',
        description:
          'Submit long-running media jobs, follow their progress (SSE, long-poll or polling with hints), ' +
          'and fetch their results. Errors are {"error": {"code", "message", "details"?}}; codes are in docs/errors.md.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  const served = (request: FastifyRequest) =>
    servedSpec(app.swagger() as unknown as JsonObject, {
      origin: `${request.protocol}://${request.host}`,
      types: registry.processors,
    });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformSpecification: (_spec, request) => served(request),
    transformSpecificationClone: false,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async (request) => served(request));

  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .headers({ 'content-security-policy': REDOC_CSP, 'cache-control': 'no-cache' })
      .send(REDOC_PAGE),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(createReadStream(REDOC_BUNDLE)),
  );
}
