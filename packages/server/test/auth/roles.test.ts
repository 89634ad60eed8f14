import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKeysFile } from '../../src/auth/keys-file.js';
import { call, startApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

const CLIENT = 'client-key-0001';
const WORKER = 'worker-key-0001';
const OPERATOR = 'operator-key-0001';
const KEYS = { client: CLIENT, worker: WORKER, operator: OPERATOR } as const;
type Role = keyof typeof KEYS;

const C: Role[] = ['client', 'operator'];
const W: Role[] = ['worker'];
const O: Role[] = ['operator'];
const ALL: Role[] = ['client', 'worker', 'operator'];

/**
 * Who may call each route of /openapi.json (and /metrics), by the role of
 * the API key. A route missing here fails the test: every new route is
 * given its roles on purpose.
 */
const MATRIX: Record<string, Role[]> = {
  'GET /healthz': ALL,
  'GET /readyz': ALL,
  'GET /metrics': O,
  'GET /v1/types': ALL,
  'POST /v1/jobs': C,
  'GET /v1/jobs': C,
  'POST /v1/jobs/batch': C,
  'GET /v1/jobs/{id}': C,
  'DELETE /v1/jobs/{id}': C,
  'POST /v1/jobs/{id}/cancel': C,
  'GET /v1/jobs/{id}/logs': C,
  'GET /v1/jobs/{id}/events': C,
  'GET /v1/events': C,
  'POST /v1/jobs/events': C,
  'GET /v1/jobs/{id}/artifacts/{name}': C,
  'GET /v1/jobs/{id}/webhook-deliveries': C,
  'POST /v1/jobs/{id}/webhook-deliveries/{delivery_id}/retry': C,
  'POST /v1/files': C,
  'GET /v1/files': C,
  'GET /v1/files/{id}': C,
  'DELETE /v1/files/{id}': C,
  'GET /v1/files/{id}/content': C,
  'GET /v1/queues': C,
  'GET /v1/queues/{name}': C,
  'POST /v1/queues/{name}/pause': O,
  'POST /v1/queues/{name}/resume': O,
  'POST /v1/workers': W,
  'GET /v1/workers': O,
  'DELETE /v1/workers/{worker}': W,
  'POST /v1/workers/{worker}/claim': W,
  'POST /v1/workers/{worker}/jobs/{ref}/heartbeat': W,
  'POST /v1/workers/{worker}/jobs/{ref}/complete': W,
  'POST /v1/workers/{worker}/jobs/{ref}/fail': W,
  'POST /v1/workers/{worker}/jobs/{ref}/release': W,
  'PUT /v1/workers/{worker}/jobs/{ref}/artifacts/{name}': W,
  // The seed documents' own APIs (docs/seeds.md) are client APIs.
  'POST /submit/{job_id}': C,
  'GET /status/{job_id}': C,
  'GET /api/v1/status/{job_id}': C,
  'GET /api/v1/download/{job_id}': C,
  'POST /api/v1/generate': C,
  'GET /api/v1/jobs': C,
  'POST /api/v1/translate': C,
  'POST /v1/image/convert/video': C,
  'POST /v1/toolkit/job/status': C,
  'GET /v1/storage/download/{filename}': C,
};

const PARAMS: Record<string, string> = { ref: 'default:nope', worker: 'wrk_nope' };

describe('API key roles', () => {
  it('gives each route to its roles and answers the others 403 forbidden (the route x role table)', async () => {
    const { url } = await startApp({
      argv: [
        '--api-keys',
        `${CLIENT}:acme`,
        '--worker-keys',
        `${WORKER}:farm`,
        '--operator-keys',
        `${OPERATOR}:ops`,
      ],
    });
    const spec = (await call(url, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'delete', 'head', 'patch'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    routes.push('GET /metrics');
    const unlisted = routes.filter((r) => !(r in MATRIX));
    expect(unlisted, 'routes without roles in MATRIX').toEqual([]);

    const seen: string[] = [];
    expect(
      Object.keys(MATRIX).filter((r) => !routes.includes(r)),
      'MATRIX routes the server lacks',
    ).toEqual([]);
    for (const [route, allowed] of Object.entries(MATRIX)) {
      const [method, template] = route.split(' ') as [string, string];
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodeURIComponent(PARAMS[name] ?? 'nope'),
      );
      for (const role of Object.keys(KEYS) as Role[]) {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${KEYS[role]}`,
            ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
          },
          body: method === 'POST' ? '{}' : method === 'PUT' ? 'x' : null,
          signal: AbortSignal.timeout(5000),
        });
        const forbidden = res.status === 403;
        await res.body?.cancel();
        seen.push(`${route} ${role}: ${forbidden ? 'forbidden' : 'allowed'}`);
        expect(forbidden, `${route} with a ${role} key (status ${res.status})`).toBe(!allowed.includes(role));
      }
    }
    expect(seen.length).toBeGreaterThan(90);
  });

  it('keeps keys file entries without a role, or with the old "tenant" role, as client keys', async () => {
    const hash = (k: string) => createHash('sha256').update(k).digest('hex');
    const file = parseKeysFile({
      keys: [
        { sha256: hash('aaaaaaaaaa'), tenant: 'a' },
        { sha256: hash('bbbbbbbbbb'), tenant: 'b', role: 'tenant' },
        { sha256: hash('cccccccccc'), tenant: 'c', role: 'worker' },
      ],
    });
    expect(file.keys.holderOf('aaaaaaaaaa')).toEqual({ tenant: 'a', role: 'client' });
    expect(file.keys.holderOf('bbbbbbbbbb')).toEqual({ tenant: 'b', role: 'client' });
    expect(file.keys.holderOf('cccccccccc')).toEqual({ tenant: 'c', role: 'worker' });
    expect(() =>
      parseKeysFile({ keys: [{ sha256: hash('dddddddddd'), tenant: 'd', role: 'admin' }] }),
    ).toThrow('keys[0].role must be one of "client", "worker", "operator"');
  });
});
