import { request } from 'node:http';
import fc from 'fast-check';

/**
 * Hostile input, generated: random methods, paths (real routes with random,
 * traversal-shaped, encoded, huge and invalid-UTF-8 ids), headers, content
 * types and bodies (valid, malformed, huge, deeply nested JSON, raw bytes),
 * sent over raw HTTP so that nothing is cleaned up on the way. Every answer
 * must be below 500 and, on an error, in the documented shape with a known
 * code; rejected requests must leave the store as it was.
 */

export interface HostileStats {
  requests: number;
  byStatus: Record<string, number>;
  serverErrors: { method: string; path: string; status: number; body: string }[];
  badShape: { method: string; path: string; status: number; body: string }[];
  created: number;
  /** Requests that changed something (2xx answers to POST, DELETE, PUT, PATCH), to account for every change. */
  mutations: { method: string; path: string; status: number }[];
}

export interface Raw {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

const ids = fc.oneof(
  fc.constantFrom(
    'job-1',
    'nope',
    '..',
    '.',
    '%2e%2e',
    '..%2f..%2fetc%2fpasswd',
    '%00',
    '%ff%fe',
    '%E0%A4%A',
    'a'.repeat(129),
    'x'.repeat(2000),
    '%2F',
    '/etc/passwd',
    'C:%5Cwindows',
    '%F0%9F%98%80',
    'a%20b',
    'job:1.2_3-4',
  ),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/),
);

const artifactNames = fc.constantFrom(
  'video.mp4',
  '..',
  '..%2F..%2Fdb',
  '%2e%2e%2fsecret',
  '/etc/passwd',
  '.partial-x',
  'a'.repeat(300),
  'captions.vtt',
  '%00',
);

const paths = fc.oneof(
  fc.constant('/v1/jobs'),
  ids.map((id) => `/v1/jobs/${id}`),
  ids.map((id) => `/v1/jobs/${id}/cancel`),
  ids.map((id) => `/v1/jobs/${id}/logs`),
  ids.map((id) => `/v1/jobs/${id}/events`),
  fc.tuple(ids, artifactNames).map(([id, name]) => `/v1/jobs/${id}/artifacts/${name}`),
  ids.map((id) => `/submit/${id}`),
  ids.map((id) => `/status/${id}`),
  fc.constantFrom(
    '/v1/types',
    '/v1/events',
    '/healthz',
    '/readyz',
    '/metrics',
    '/openapi.json',
    '/',
    '/v2',
    '/v1/jobs/',
    '//v1//jobs',
    '/v1/jobs?limit=-5',
    '/v1/jobs?cursor=%ff',
    '/v1/jobs?status=paused',
    '/v1/jobs?limit=99999999999999999999',
  ),
  fc
    .tuple(fc.constantFrom('/v1/jobs', '/v1/jobs/x', '/status/x'), fc.string({ maxLength: 30 }))
    .map(
      ([p, q]) =>
        `${p}?${encodeURIComponent(q)}=${encodeURIComponent(q)}&wait=${encodeURIComponent(q)}&since=${encodeURIComponent(q)}`,
    ),
);

const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const jsonBodies = fc.oneof(
  fc.constant('{"type":"simulate","input":{"duration_seconds":0,"error_rate":0}}'),
  fc.json({ maxDepth: 4 }),
  fc
    .record({
      type: fc.oneof(
        fc.constantFrom('simulate', 'video.translate', 'image.to_video', 'text.to_video'),
        fc.string(),
      ),
      input: fc.oneof(
        fc.object(),
        fc.constant({ duration_seconds: -1 }),
        fc.constant({ duration_seconds: 1e308 }),
        fc.anything(),
      ),
      id: fc.option(fc.oneof(fc.string(), fc.constantFrom('..', 'a/b', 'x'.repeat(200))), { nil: undefined }),
      max_attempts: fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }),
      metadata: fc.option(fc.anything(), { nil: undefined }),
    })
    .map((o) => JSON.stringify(o)),
  fc.constantFrom(
    deep(40),
    deep(5000),
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]',
    '{"__proto__":{"x":1},"type":"simulate"}',
    '{"constructor":{"prototype":{}}}',
    '',
    'null',
    '"str"',
    '{',
    '{"type":"simulate"',
    '\u0000',
  ),
  fc
    .integer({ min: 1, max: 3 })
    .map((mb) => `{"type":"simulate","metadata":{"x":"${'y'.repeat(mb * 700_000)}"}}`),
);

const bodies: fc.Arbitrary<Buffer | null> = fc.oneof(
  fc.constant(null),
  jsonBodies.map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
  fc.constant(
    Buffer.from([0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]),
  ), // {"type":"<invalid UTF-8>"}
  fc.constant(Buffer.from('delay_seconds=3')),
);

const contentTypes = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/JSON',
  '',
  'a'.repeat(300),
);

const headerSets = fc.record(
  {
    'content-type': contentTypes,
    accept: fc.constantFrom('application/json', 'text/event-stream', '*/*', 'image/png'),
    prefer: fc.constantFrom(
      'wait=0',
      'wait=1',
      'wait=61',
      'wait=-1',
      'wait=abc',
      'respond-async',
      'wait=1e3',
    ),
    'idempotency-key': fc.oneof(
      fc.string({ maxLength: 20 }).filter((s) => /^[\x21-\x7e]*$/.test(s) && s.length > 0),
      fc.constant('k'.repeat(300)),
    ),
    'last-event-id': fc.constantFrom('0', '-1', '99999999999999999999', 'abc', '1.5'),
    authorization: fc.constantFrom('Bearer ', 'Bearer x', 'Basic Zm9vOmJhcg==', `Bearer ${'k'.repeat(1000)}`),
    'if-none-match': fc.constantFrom('"1"', '*', 'W/"2"', '"'),
    range: fc.constantFrom(
      'bytes=0-0',
      'bytes=-1',
      'bytes=5-1',
      'bytes=0-999999999999',
      'bytes=a-b',
      'items=0-1',
      'bytes=0-1,3-4',
    ),
  },
  { requiredKeys: [] },
);

const requests: fc.Arbitrary<Raw> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'),
    path: paths,
    headers: headerSets,
    body: bodies,
  })
  .map((r) => ({
    ...r,
    headers: Object.fromEntries(Object.entries(r.headers).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >,
  }));

/** One request exactly as given (path, headers and body unnormalised), over raw HTTP. */
export function send(
  base: URL,
  raw: Raw,
): Promise<{ status: number; body: string; type: string; replayed: boolean }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...raw.headers };
    if (raw.body) headers['content-length'] = raw.body.length;
    const req = request(
      { host: base.hostname, port: base.port, method: raw.method, path: raw.path, headers, timeout: 15_000 },
      (res) => {
        // Event streams stay open: the status and headers are all that is checked.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, body: '', type: 'text/event-stream', replayed: false });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            type: String(res.headers['content-type'] ?? ''),
            replayed: res.headers['idempotent-replayed'] === 'true',
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${raw.method} ${raw.path}`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A server may answer a large body early (404, 413) and close before it is all sent: status 0.
      const early = (raw.body?.length ?? 0) > 64 * 1024 && ['EPIPE', 'ECONNRESET'].includes(err.code ?? '');
      if (early) resolve({ status: 0, body: '', type: '', replayed: false });
      else reject(err);
    });
    req.end(raw.body ?? undefined);
  });
}

/** A compat route answers `{detail}`; everything else answers `{error: {code, message}}` with a known code. */
function wellShaped(
  path: string,
  status: number,
  body: string,
  type: string,
  codes: ReadonlySet<string>,
): boolean {
  if (status < 400) return true;
  if (!type.startsWith('application/json')) return false;
  let parsed: { detail?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (/^\/(submit|status)\//.test(path) && typeof parsed?.detail === 'string') return true;
  const code = parsed?.error?.code;
  return typeof code === 'string' && codes.has(code) && typeof parsed?.error?.message === 'string';
}

export async function fuzzRoutes(
  baseUrl: string,
  { runs, seed, codes }: { runs: number; seed?: number; codes: ReadonlySet<string> },
): Promise<HostileStats> {
  const base = new URL(baseUrl);
  const stats: HostileStats = {
    requests: 0,
    byStatus: {},
    serverErrors: [],
    badShape: [],
    created: 0,
    mutations: [],
  };
  await fc.assert(
    fc.asyncProperty(requests, async (raw) => {
      const res = await send(base, raw);
      stats.requests += 1;
      stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      const creates = raw.method === 'POST' && (raw.path === '/v1/jobs' || raw.path.startsWith('/submit/'));
      if (creates && res.status >= 200 && res.status < 300 && !res.replayed) stats.created += 1;
      if (!['GET', 'HEAD', 'OPTIONS'].includes(raw.method) && res.status >= 200 && res.status < 300) {
        stats.mutations.push({ method: raw.method, path: raw.path, status: res.status });
      }
      const sample = {
        method: raw.method,
        path: raw.path.slice(0, 120),
        status: res.status,
        body: res.body.slice(0, 300),
      };
      if (res.status >= 500) stats.serverErrors.push(sample);
      else if (
        raw.method !== 'HEAD' &&
        !wellShaped(raw.path.split('?')[0]!, res.status, res.body, res.type, codes)
      )
        stats.badShape.push(sample);
      return true;
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
  );
  return stats;
}
