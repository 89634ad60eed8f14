import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPublicPath } from '../auth/plugin.js';
import type { Config } from '../config.js';
import { ApiError } from '../errors.js';

/** The routes that create jobs, and uploads (which are made to create jobs). */
const CREATE_ROUTES: ReadonlySet<string> = new Set([
  '/v1/jobs',
  '/v1/jobs/batch',
  '/v1/files',
  '/submit/:job_id',
  '/api/v1/generate',
  '/v1/image/convert/video',
]);

/** Requests that create jobs draw on the create budget; every other API request on the read one. */
function budgetOf(request: FastifyRequest): 'create' | 'read' {
  const route = request.routeOptions.url;
  return request.method === 'POST' && route !== undefined && CREATE_ROUTES.has(route) ? 'create' : 'read';
}

/**
 * Rate limits per API key (per client address on an open server), with
 * separate budgets for creating jobs and for everything else, so a client
 * polling hard cannot stop itself from submitting, nor the reverse. Over the
 * limit: 429 `rate_limited` with `Retry-After`. Probes, metrics and docs are
 * not limited. Counts are per process. The settings give both budgets (by
 * default, none on a server without API keys).
 */
export async function registerRateLimits(
  app: FastifyInstance,
  config: Pick<Config, 'rateLimitCreate' | 'rateLimitRead' | 'rateLimitWindowMs'>,
): Promise<void> {
  const max = { create: config.rateLimitCreate, read: config.rateLimitRead };
  if (max.create === 0 && max.read === 0) return;
  await app.register(rateLimit, {
    global: true,
    timeWindow: config.rateLimitWindowMs,
    hook: 'onRequest',
    keyGenerator: (request) => `${budgetOf(request)}:${request.apiKeyId ?? `ip:${request.ip}`}`,
    max: (request) => max[budgetOf(request)],
    allowList: (request) =>
      isPublicPath(request.url) || request.url.startsWith('/metrics') || max[budgetOf(request)] === 0,
    addHeadersOnExceeding: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': true,
    },
    addHeaders: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': true,
      'retry-after': true,
    },
    errorResponseBuilder: (request, context) =>
      new ApiError('rate_limited', {
        message: `More than ${context.max} ${budgetOf(request) === 'create' ? 'job submissions' : 'requests'} in the window; retry after ${context.after}.`,
        headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
      }),
  });
}
