import { type Agent, request } from 'node:http';
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
  /** Of them, requests to the remote-worker routes (/v1/workers…). */
  toWorkers: number;
  byStatus: Record<string, number>;
  serverErrors: { method: string; path: string; status: number; body: string }[];
  /** Requests that got no answer within the time limit, each with the request sent before it. */
  hangs: { method: string; path: string; after: string }[];
  badShape: { method: string; path: string; status: number; body: string }[];
  created: number;
  /** Requests that changed something (2xx answers to POST, DELETE, PUT, PATCH), to account for every change. */
  mutations: Mutation[];
}

export interface Mutation {
  method: string;
  path: string;
  status: number;
  /** The jobs a claim handed out (they changed, though their ids are not in the path). */
  jobs?: string[];
  /** The job types a registration declared. */
  declared?: string[];
}

export interface Raw {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

export const ids = fc.oneof(
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

export const artifactNames = fc.constantFrom(
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

export const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
export const jsonBodies = fc.oneof(
  fc.constant('{"type":"simulate","input":{"duration_seconds":0,"error_rate":0}}'),
  fc.json({ maxDepth: 4 }),
  fc
    .record({
      type: fc.oneof(
        fc.constantFrom(
          'simulate',
          'video.translate',
          'image.to_video',
          'text.to_video',
          'document.translate',
        ),
        fc.string(),
      ),
      input: fc.oneof(
        fc.object(),
        fc.constant({ duration_seconds: -1 }),
        fc.constant({ duration_seconds: 1e308 }),
        fc.anything(),
        // Text with control characters, which speech and captions once stopped at.
        fc
          .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 31 }))
          .map(([s, c]) => ({ text: `${s}${String.fromCharCode(c)}${s}x` })),
        // document.translate's inputs: data: and http URLs, odd names and languages.
        fc.record(
          {
            document_url: fc.constantFrom(
              'data:text/plain;base64,SGVsbG8gd29ybGQu',
              'data:,Hello%00world',
              'data:text/html,<p>Hi</p>',
              'http://127.0.0.1:1/x.txt',
              'file:///etc/passwd',
              `data:text/plain;base64,${'QUFB'.repeat(2000)}`,
            ),
            filename: fc.constantFrom('a.txt', '../../x.docx', 'a\u0000b.srt', 'x'.repeat(300), ''),
            source_language: fc.constantFrom('en', 'auto', 'xx-YYYYYYYYY', ''),
            target_language: fc.constantFrom('de', 'en', 'auto', '😀'),
          },
          { requiredKeys: ['document_url'] },
        ),
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

export const bodies: fc.Arbitrary<Buffer | null> = fc.oneof(
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

export const headerSets = fc.record(
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

export const methods = fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS');

/** Headers as sent: those the arbitrary left out are not sent at all. */
export const defined = (headers: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;

const requests: fc.Arbitrary<Raw> = fc
  .record({ method: methods, path: paths, headers: headerSets, body: bodies })
  .map((r) => ({ ...r, headers: defined(r.headers) }));

/** A request that got no answer in time. */
export class NoAnswer extends Error {
  override name = 'NoAnswer';
}

/**
 * One request exactly as given (path, headers and body unnormalised), over
 * raw HTTP: on a kept-alive connection of Node's global agent unless `agent`
 * says otherwise. No answer within `timeoutMs` (default 15 s) is {@link NoAnswer}.
 */
export function send(
  base: URL,
  raw: Raw,
  { agent, timeoutMs = 15_000 }: { agent?: Agent | false; timeoutMs?: number } = {},
): Promise<{ status: number; body: string; type: string; replayed: boolean }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...raw.headers };
    if (raw.body) headers['content-length'] = raw.body.length;
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: raw.method,
        path: raw.path,
        headers,
        timeout: timeoutMs,
        ...(agent === undefined ? {} : { agent }),
      },
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
    req.on('timeout', () =>
      req.destroy(new NoAnswer(`no answer in ${timeoutMs} ms: ${raw.method} ${raw.path}`)),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A server may answer a large body early (404, 413) and close before it is all sent: status 0.
      const early = (raw.body?.length ?? 0) > 64 * 1024 && ['EPIPE', 'ECONNRESET'].includes(err.code ?? '');
      if (early) resolve({ status: 0, body: '', type: '', replayed: false });
      else reject(err);
    });
    req.end(raw.body ?? undefined);
  });
}

/** A compat route answers `{detail}` and nothing else; every other route `{error: {code, message}}` with a known code. */
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
  // The status API answers every error (the router's and the body parser's too) as {"detail"}.
  if (/^\/(submit|status)(\/|$)/.test(path)) return typeof parsed?.detail === 'string';
  const code = parsed?.error?.code;
  return typeof code === 'string' && codes.has(code) && typeof parsed?.error?.message === 'string';
}

/** What a 2xx answer changed beyond what its path names: the jobs a claim took, the types a registration declared. */
function sideEffects(raw: Raw, body: string): Pick<Mutation, 'jobs' | 'declared'> {
  let parsed: { jobs?: { job?: { id?: unknown } }[]; types?: unknown } | null;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  const effects: Pick<Mutation, 'jobs' | 'declared'> = {};
  if (Array.isArray(parsed?.jobs)) effects.jobs = parsed.jobs.map((j) => String(j?.job?.id));
  if (raw.method === 'POST' && raw.path.split('?')[0] === '/v1/workers' && Array.isArray(parsed?.types)) {
    effects.declared = parsed.types.map(String);
  }
  return effects;
}

/**
 * Fuzz every route of `requests` above, and those of `more` (a scenario's
 * own, such as the remote-worker routes, whose ids and tokens exist only at
 * run time), half and half.
 */
export async function fuzzRoutes(
  baseUrl: string,
  {
    runs,
    seed,
    codes,
    more,
  }: { runs: number; seed?: number; codes: ReadonlySet<string>; more?: fc.Arbitrary<Raw> },
): Promise<HostileStats> {
  const base = new URL(baseUrl);
  const stats: HostileStats = {
    requests: 0,
    toWorkers: 0,
    byStatus: {},
    serverErrors: [],
    hangs: [],
    badShape: [],
    created: 0,
    mutations: [],
  };
  const generated = more ? fc.oneof(requests, more) : requests;
  let previous = '';
  await fc.assert(
    fc.asyncProperty(generated, async (raw) => {
      const sent = `${raw.method} ${raw.path.slice(0, 120)} (${raw.body?.length ?? 0} bytes)`;
      const res = await send(base, raw).catch((err: unknown) => {
        if (!(err instanceof NoAnswer)) throw err;
        return null;
      });
      const before = previous;
      previous = sent;
      stats.requests += 1;
      if (res === null) {
        // A hang fails the run; the fuzz goes on (on a new connection) to find what else there is.
        stats.hangs.push({ method: raw.method, path: raw.path.slice(0, 120), after: before });
        stats.mutations.push({ method: raw.method, path: raw.path, status: 0 });
        return true;
      }
      if (raw.path.startsWith('/v1/workers')) stats.toWorkers += 1;
      stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      const creates = raw.method === 'POST' && (raw.path === '/v1/jobs' || raw.path.startsWith('/submit/'));
      if (creates && res.status >= 200 && res.status < 300 && !res.replayed) stats.created += 1;
      if (!['GET', 'HEAD', 'OPTIONS'].includes(raw.method) && res.status >= 200 && res.status < 300) {
        stats.mutations.push({
          method: raw.method,
          path: raw.path,
          status: res.status,
          ...sideEffects(raw, res.body),
        });
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

/** One reproduced finding of issue 18, checked again: what was sent, and whether the answer is the fixed one. */
export interface Probe {
  name: string;
  ok: boolean;
  got: string;
}

function parse(body: string): { detail?: unknown; error?: { code?: unknown; details?: unknown } } | null {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

const json = { 'content-type': 'application/json' };

/**
 * The hostile-input findings of issue 18, each sent again on an open server
 * (`open`): text with a NUL, ids of dots alone, loose `delay_seconds`, status
 * API errors in another shape. Each gives one probe.
 */
export async function openServerProbes(open: string): Promise<Probe[]> {
  const base = new URL(open);
  const probes: Probe[] = [];
  const probe = async (
    name: string,
    raw: Raw,
    ok: (status: number, body: ReturnType<typeof parse>) => boolean,
  ) => {
    const res = await send(base, raw);
    const body = parse(res.body);
    probes.push({ name, ok: ok(res.status, body), got: `${res.status} ${res.body.slice(0, 120)}` });
  };
  const post = (path: string, body?: string, headers: Record<string, string> = json): Raw => ({
    method: 'POST',
    path,
    headers: body === undefined ? {} : headers,
    body: body === undefined ? null : Buffer.from(body),
  });
  const detail422 = (status: number, body: ReturnType<typeof parse>) =>
    status === 422 && typeof body?.detail === 'string';
  const code = (status: number, c: string) => (s: number, body: ReturnType<typeof parse>) =>
    s === status && body?.error?.code === c;

  for (const c of [0, 7, 27]) {
    const text = `Hello${String.fromCharCode(c)} world.`;
    await probe(
      `text.to_video text with U+${c.toString(16).padStart(4, '0')} refused`,
      post('/v1/jobs', JSON.stringify({ type: 'text.to_video', input: { text } })),
      code(422, 'invalid_input'),
    );
  }
  await probe(
    'POST /api/v1/generate with a NUL refused',
    post('/api/v1/generate', JSON.stringify({ text: 'Hello\u0000 world.' })),
    (s, b) => s === 400 && typeof b?.error === 'string',
  );
  for (const id of ['.', '..', '...', '%2E%2E']) {
    await probe(`POST /submit/${id} refused`, post(`/submit/${id}`), detail422);
  }
  await probe(
    'POST /v1/jobs with id ".." refused',
    post('/v1/jobs', JSON.stringify({ type: 'simulate', id: '..', input: { duration_seconds: 0 } })),
    code(400, 'invalid_job_id'),
  );
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const loose: [string, Raw][] = [
    ['delay_seconds=0x10', post('/submit/loose-1?delay_seconds=0x10')],
    ['delay_seconds=%20', post('/submit/loose-2?delay_seconds=%20')],
    ['JSON delay_seconds [5]', post('/submit/loose-3', '{"delay_seconds":[5]}')],
    ['JSON delay_seconds true', post('/submit/loose-4', '{"delay_seconds":true}')],
    ['repeated query delay_seconds', post('/submit/loose-5?delay_seconds=1&delay_seconds=2')],
    ['repeated form delay_seconds', post('/submit/loose-6', 'delay_seconds=1&delay_seconds=2', form)],
    ['job id over 1,024 characters', post(`/submit/${'x'.repeat(1100)}`)],
    ['bad percent-encoding', post('/submit/%E0%A4%A')],
    ['malformed JSON', post('/submit/loose-7', '{')],
  ];
  for (const [name, raw] of loose) await probe(`status API: ${name} is 422 {"detail"}`, raw, detail422);
  await probe(
    'status API: a text/xml body is {"detail"}',
    post('/submit/loose-8', '<a/>', { 'content-type': 'text/xml' }),
    (s, b) => s === 415 && typeof b?.detail === 'string',
  );
  await probe(
    'status API: an unknown route under /status is {"detail"}',
    { method: 'GET', path: '/status/a/b', headers: {}, body: null },
    (s, b) => s === 404 && typeof b?.detail === 'string',
  );
  return probes;
}

/**
 * The findings that need settings: a server started with API keys
 * (`key`), `--auth-failure-limit` (`authFailureLimit`), `--job-timeout 2s`,
 * `--max-data-url-size 64k` and `--max-input-size 256k`.
 */
export async function limitProbes(
  keyed: string,
  { key, authFailureLimit, deadline }: { key: string; authFailureLimit: number; deadline: number },
): Promise<Probe[]> {
  const base = new URL(keyed);
  const probes: Probe[] = [];
  const auth = { ...json, authorization: `Bearer ${key}` };
  const get = (path: string, headers: Record<string, string>) =>
    send(base, { method: 'GET', path, headers, body: null });

  const wrong: number[] = [];
  for (let i = 0; i <= authFailureLimit + 5; i++) {
    wrong.push((await get('/v1/jobs', { authorization: `Bearer wrong-key-${i}` })).status);
  }
  const limited = await send(base, {
    method: 'GET',
    path: '/v1/jobs',
    headers: { authorization: 'Bearer wrong-key-last' },
    body: null,
  });
  probes.push({
    name: `wrong keys: ${authFailureLimit} answered 401, then 429 rate_limited`,
    ok:
      wrong.slice(0, authFailureLimit).every((s) => s === 401) &&
      wrong.slice(authFailureLimit).every((s) => s === 429) &&
      parse(limited.body)?.error?.code === 'rate_limited',
    got: wrong.join(','),
  });
  const valid = await get('/v1/jobs', { authorization: `Bearer ${key}` });
  probes.push({
    name: 'a valid key from the same address still works',
    ok: valid.status === 200,
    got: String(valid.status),
  });

  const create = (input: Record<string, unknown>, type: string, extra: Record<string, unknown> = {}) =>
    send(base, {
      method: 'POST',
      path: '/v1/jobs',
      headers: auth,
      body: Buffer.from(JSON.stringify({ type, input, ...extra })),
    });
  const big = `data:text/plain;base64,${'QUFB'.repeat(20_000)}`;
  for (const [type, input] of [
    ['image.to_video', { image_url: big }],
    ['text.to_video', { text: 'Hi.', background: big }],
    ['document.translate', { document_url: big, target_language: 'de' }],
  ] as const) {
    const res = await create(input, type);
    probes.push({
      name: `${type}: a data: URL over --max-data-url-size is 413 input_too_large`,
      ok: res.status === 413 && parse(res.body)?.error?.code === 'input_too_large',
      got: `${res.status} ${res.body.slice(0, 100)}`,
    });
  }
  const whole = await create({ text: 'Hi.', padding: 'y'.repeat(300_000) }, 'text.to_video');
  probes.push({
    name: 'an input over --max-input-size is 413 input_too_large',
    ok: whole.status === 413 && parse(whole.body)?.error?.code === 'input_too_large',
    got: `${whole.status} ${whole.body.slice(0, 100)}`,
  });

  // simulate estimates 2 x 30 s + 60 s for this attempt; --job-timeout 2s must win.
  const timed = await create({ duration_seconds: 30, error_rate: 0 }, 'simulate', { max_attempts: 1 });
  const id = parse(timed.body) as { id?: string } | null;
  let ended: { status?: string; error?: { code?: string } } | null = null;
  while (id?.id && Date.now() < deadline) {
    const r = await get(`/v1/jobs/${encodeURIComponent(id.id)}`, { authorization: `Bearer ${key}` });
    const job = parse(r.body) as { status?: string; error?: { code?: string } } | null;
    if (job?.status === 'failed' || job?.status === 'completed') {
      ended = job;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  probes.push({
    name: '--job-timeout 2s stops a simulate job whose own estimate is 120 s',
    ok: ended?.status === 'failed' && ended.error?.code === 'job_timeout',
    got: JSON.stringify(ended ?? timed.body.slice(0, 100)),
  });
  return probes;
}
