import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { type ApiKeys, DEFAULT_TENANT, presentedKey } from './keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant whose jobs this request may see. */
    tenant: string;
  }
}

/** Paths anyone may read: probes, the API description and the dashboard shell. */
const PUBLIC = [
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/openapi\.json$/,
  /^\/docs(\/|$)/,
  /^\/$/,
  /^\/dashboard(\/|$)/,
];

/**
 * Resolve each request's tenant: from its API key when keys are configured
 * (401 without a valid one), else the single default tenant.
 */
export function registerAuth(app: FastifyInstance, keys: ApiKeys | null): void {
  app.decorateRequest('tenant', DEFAULT_TENANT);
  if (!keys) return;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const path = request.url.split('?', 1)[0]!;
    if (PUBLIC.some((re) => re.test(path))) return;
    const key = presentedKey(request.headers);
    const tenant = key === null ? null : keys.tenantOf(key);
    if (tenant === null) {
      throw new ApiError('unauthorized', {
        message:
          key === null
            ? 'Send an API key: Authorization: Bearer <key> or X-API-Key: <key>.'
            : 'The API key is not valid.',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    request.tenant = tenant;
  });
}
