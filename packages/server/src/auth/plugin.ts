import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { AuthFailureLimit } from './failure-limit.js';
import { ApiKeys, DEFAULT_TENANT, type KeyRole, presentedKey } from './keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The key roles this route is for, when API keys are on. @default {@link CLIENT_ROUTE} */
    roles?: readonly KeyRole[];
  }
  interface FastifyRequest {
    /** The role of the request's API key; null on an open server, where every route is open. */
    role: KeyRole | null;
    /** The tenant whose jobs this request may see. */
    tenant: string;
    /** May pause queues and see every tenant's counts: an operator key, or any caller of an open server. */
    operator: boolean;
    /** A short name of the API key the request came with (rate limits); null on an open server. */
    apiKeyId: string | null;
  }
}

/** Paths anyone may read: probes, the API description and its pages, and the dashboard shell. */
const PUBLIC = [
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/openapi\.json$/,
  /^\/docs(\/|$)/,
  /^\/redoc(\/|$)/,
  /^\/$/,
  /^\/dashboard(\/|$)/,
];

/** The roles of a route that names none: the job API is for clients and operators, not workers. */
export const CLIENT_ROUTE: readonly KeyRole[] = Object.freeze(['client', 'operator']);
/** The routes remote workers call (docs/workers.md). */
export const WORKER_ROUTE: readonly KeyRole[] = Object.freeze(['worker']);
/** Every key may call it. */
export const ANY_ROLE: readonly KeyRole[] = Object.freeze(['client', 'worker', 'operator']);
/** What only operators see (every tenant's counts, the workers). */
export const OPERATOR_ROUTE: readonly KeyRole[] = Object.freeze(['operator']);

/** A path anyone may read, keys or not. */
export function isPublicPath(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return PUBLIC.some((re) => re.test(path));
}

/**
 * Resolve each request's tenant: from its API key when keys are configured
 * (401 without a valid one), else the single default tenant. Wrong keys are
 * counted per client address by `failures`; an address past its budget gets
 * 429 for its wrong keys (never for a valid one) until its window ends.
 */
export function registerAuth(
  app: FastifyInstance,
  keys: ApiKeys | null,
  failures: AuthFailureLimit = new AuthFailureLimit({ max: 0, windowMs: 0 }),
): void {
  app.decorateRequest('tenant', DEFAULT_TENANT);
  app.decorateRequest('apiKeyId', null);
  app.decorateRequest('operator', keys === null);
  app.decorateRequest('role', null);
  if (!keys) return;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (isPublicPath(request.url)) return;
    const key = presentedKey(request.headers);
    const holder = key === null ? null : keys.holderOf(key);
    if (holder === null) {
      // A request with no key guesses nothing; only wrong keys count.
      const waitMs = key === null ? null : failures.fail(request.ip);
      if (waitMs !== null) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new ApiError('rate_limited', {
          message: `Too many wrong API keys from this address; retry after ${seconds} s with a valid key.`,
          headers: { 'retry-after': String(seconds) },
        });
      }
      throw new ApiError('unauthorized', {
        message:
          key === null
            ? 'Send an API key: Authorization: Bearer <key> or X-API-Key: <key>.'
            : 'The API key is not valid.',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    request.tenant = holder.tenant;
    request.operator = holder.role === 'operator';
    request.role = holder.role;
    request.apiKeyId = ApiKeys.idOf(key!);
    // A path no route matches is left to the 404 handler.
    if (request.routeOptions.url === undefined) return;
    const roles = request.routeOptions.config.roles ?? CLIENT_ROUTE;
    if (!roles.includes(holder.role)) {
      throw new ApiError('forbidden', {
        message: `This route is for ${roles.join(' and ')} keys; the API key is a ${holder.role} key.`,
      });
    }
  });
}
