import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  artifactNames,
  bodies,
  deep,
  defined,
  headerSets,
  ids,
  jsonBodies,
  type Mutation,
  methods,
  type Probe,
  type Raw,
  send,
} from './hostile-input.js';
import { call } from './http.js';
import { jobState } from './remote-workers.js';

/**
 * Hostile input for the remote-worker routes (docs/workers.md): generated
 * registrations, claims, heartbeats, outcomes and artifact uploads against a
 * real worker holding real leases, and probes of each documented refusal.
 */

/** A remote worker the fuzzer speaks for: the real ids and tokens it may put in its calls. */
export interface WorkerFixture {
  /** A registered worker holding jobs. Claims and lease calls name it; no DELETE does, so it stays. */
  id: string;
  /** Another registered worker, which a DELETE may remove. */
  spare: string;
  /** The type both declared. */
  type: string;
  /** The jobs `id` holds: their refs and lease tokens. */
  held: readonly { ref: string; token: string }[];
}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { n: { type: 'integer' }, text: { type: 'string', maxLength: 100 } },
};

/** Register a worker for `type` (declaring it); its id. */
export async function registerWorker(base: string, type: string, name: string): Promise<string> {
  const r = await call(base, 'POST', '/v1/workers', {
    body: { name, types: [{ type, input_schema: SCHEMA }] },
  });
  if (r.status !== 201) throw new Error(`register ${name}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.body.id as string;
}

/** Submit `count` jobs of `type` and have `worker` claim them all; their refs and tokens. */
export async function holdJobs(
  base: string,
  { worker, type, count }: { worker: string; type: string; count: number },
): Promise<{ ref: string; token: string; id: string }[]> {
  for (let n = 0; n < count; n++) {
    const r = await call(base, 'POST', '/v1/jobs', { body: { type, input: { n } } });
    if (r.status !== 202) throw new Error(`submit ${type}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const held: { ref: string; token: string; id: string }[] = [];
  while (held.length < count) {
    const r = await call(base, 'POST', `/v1/workers/${worker}/claim`, {
      body: { max_jobs: count - held.length, wait_seconds: 5 },
    });
    if (r.status !== 200 || r.body.jobs.length === 0) {
      throw new Error(`claim: ${r.status} ${r.text.slice(0, 200)}`);
    }
    for (const j of r.body.jobs) held.push({ ref: j.ref, token: j.lease_token, id: j.job.id });
  }
  return held;
}

/** Tokens a header can carry: the real ones, and wrong ones of every shape. */
function tokens(w: WorkerFixture): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom(...w.held.map((h) => h.token)),
    fc.constantFrom(
      undefined,
      '',
      'wrong',
      'x'.repeat(300),
      `${w.held[0]!.token}x`,
      w.held[0]!.token.toUpperCase(),
    ),
    fc.string({ maxLength: 20 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
  );
}

function refs(w: WorkerFixture): fc.Arbitrary<string> {
  const first = w.held[0]!.ref;
  const id = first.slice(first.indexOf(':') + 1);
  return fc.oneof(
    fc.constantFrom(...w.held.map((h) => h.ref), ...w.held.map((h) => encodeURIComponent(h.ref))),
    fc.constantFrom('default:nope', 'default:', '%3A', ':x', 'nocolon', `other:${id}`, `default:${id}:x`, id),
    ids,
  );
}

const typeNames = (w: WorkerFixture) =>
  fc.oneof(
    fc.constantFrom(w.type, 'simulate', 'text.to_video', 'chaos.fuzzed', 'Bad Name', '', '.', 'a..b', '1abc'),
    fc.constantFrom('x'.repeat(70), 'a.b.c', 'chaos.fuzzed-2'),
    fc.string({ maxLength: 12 }),
  );

/** Input schemas: usable, not compilable, not of an object, huge, self-referring, with remote refs and clashing ids. */
const schemas = fc.oneof(
  fc.constantFrom(
    { type: 'object' },
    SCHEMA,
    { type: 'string' },
    { type: 'object', properties: { x: { type: 'nope' } } },
    { type: 'object', required: 'x' },
    { type: 'object', properties: { x: { type: 'string', pattern: '(' } } },
    { $ref: '#/definitions/missing' },
    { $ref: 'http://127.0.0.1:1/remote.json' },
    { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' },
    { $id: 'https://chaos.example/s.json', type: 'object' },
    { $id: 'https://chaos.example/s.json', type: 'object', properties: { a: { type: 'string' } } },
    { $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' },
    { type: 'object', properties: { big: { description: 'y'.repeat(70_000) } } },
    { type: 'object', properties: { n: { type: 'integer', default: 'not an integer' } } },
  ),
  fc.object({ maxDepth: 2 }),
  fc.anything(),
);

function registrations(w: WorkerFixture): fc.Arbitrary<Buffer> {
  const declaration = fc.record(
    {
      type: typeNames(w),
      description: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('d'.repeat(2001))),
      input_schema: schemas,
      queue: fc.oneof(
        fc.constantFrom(w.type, 'media', 'simulate', 'default', 'chaos.other', 'BAD', ''),
        fc.string({ maxLength: 8 }),
      ),
      extra: fc.anything(),
    },
    { requiredKeys: ['type', 'input_schema'] },
  );
  // One that should be taken: a usable name, schema and queue (the type's own).
  const plausible = fc
    .record({
      name: fc.string({ minLength: 1, maxLength: 20 }),
      type: fc.constantFrom(w.type, 'chaos.fuzzed', 'chaos.fuzzed-2'),
      input_schema: fc.constantFrom({ type: 'object' }, SCHEMA),
    })
    .map(({ name, type, input_schema }) => ({ name, types: [{ type, input_schema }] }));
  return fc
    .oneof(
      plausible,
      fc.record(
        {
          name: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', 'x'.repeat(200))),
          types: fc.oneof(
            fc.array(declaration, { maxLength: 3 }),
            fc.constantFrom(
              'x',
              null,
              Array.from({ length: 51 }, (_, i) => ({ type: `chaos.t${i}`, input_schema: {} })),
            ),
          ),
          extra: fc.anything(),
        },
        { requiredKeys: ['types'] },
      ),
    )
    .map((o) => Buffer.from(JSON.stringify(o)));
}

/**
 * Claim bodies. Every one that could pass names a wait of at most half a
 * second: a claim that finds no job is held for its wait (30 s by default),
 * and the fuzzer sends one request at a time.
 */
function claimBodies(w: WorkerFixture): fc.Arbitrary<Buffer> {
  return fc
    .oneof(
      fc
        .record(
          {
            max_jobs: fc.oneof(fc.integer({ min: -5, max: 150 }), fc.constantFrom(1.5, '2', null, 1e20)),
            wait_seconds: fc.constantFrom(0, 0.2, 0.5, -1, 61, 1e9, null, 'x', '0'),
            types: fc.oneof(
              fc.constant([w.type]),
              fc.constantFrom(['simulate'], ['chaos.nope'], [], [w.type, 'simulate'], 'x', [1], null),
              fc.constant(Array.from({ length: 51 }, () => w.type)),
              fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
            ),
            extra: fc.anything(),
          },
          { requiredKeys: ['wait_seconds'] },
        )
        .map((o) => JSON.stringify(o)),
      fc.constantFrom(
        '{',
        '[]',
        '"str"',
        deep(5000),
        '{"wait_seconds":0}garbage',
        '{"wait_seconds":0,"__proto__":{"x":1}}',
      ),
    )
    .map((s) => Buffer.from(s));
}

/** What heartbeats, completes and fails carry, right and wrong. */
const reports = fc
  .record(
    {
      progress: fc.oneof(fc.double(), fc.constantFrom(-1, 101, 50, '50', null)),
      stage: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('s'.repeat(300), null, 5)),
      message: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('m'.repeat(2001), null)),
      eta_seconds: fc.constantFrom(-1, 0, 5, 1e12, null, 'x'),
      logs: fc.oneof(
        fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
        fc.constantFrom(
          'not a list',
          [5],
          ['l'.repeat(10_001)],
          Array.from({ length: 1001 }, () => 'l'),
        ),
      ),
      output: fc.oneof(
        fc.object({ maxDepth: 2 }),
        fc.anything(),
        fc.constant({ big: 'y'.repeat(1_500_000) }),
      ),
      error: fc.oneof(
        fc.record({
          code: fc.constantFrom('gpu_out_of_memory', 'Bad Code', '', 'a'.repeat(70), '_x'),
          message: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('m'.repeat(2001))),
        }),
        fc.anything(),
      ),
      retry: fc.oneof(fc.boolean(), fc.constant('yes')),
      retry_in_seconds: fc.constantFrom(-1, 0, 1, 86_401, 'x'),
    },
    { requiredKeys: [] },
  )
  .map((o) => Buffer.from(JSON.stringify(o)));

/** Artifact bodies: small, empty, and past a 64 KiB --max-file-size (the scenario's). */
const artifactBodies: fc.Arbitrary<Buffer | null> = fc.oneof(
  bodies,
  fc.integer({ min: 1, max: 300 }).map((kb) => Buffer.alloc(kb * 1024, 0x61)),
  fc.constant(Buffer.alloc(0)),
);

/** Generated requests to the worker routes, with the fixture's real ids, refs and tokens among wrong ones. */
export function workerRequests(w: WorkerFixture): fc.Arbitrary<Raw> {
  // Claims and lease calls name the fixture worker (or others); only bare /v1/workers/{id} paths, which
  // a DELETE may take, name the spare.
  const workerIds = fc.oneof(fc.constant(w.id), fc.constant(w.id), ids);
  const mostlyPost = fc.oneof(fc.constant('POST'), fc.constant('POST'), methods);
  // Half the time JSON, so that most requests get past the body parser to the route.
  const headers = fc
    .tuple(headerSets, fc.boolean())
    .map(([h, asJson]) => (asJson ? { ...h, 'content-type': 'application/json' } : h));
  // A job's ref with its own token half the time, else any ref with any token (or none).
  const leased = fc.oneof(
    fc.constantFrom(...w.held).map((h) => ({ ref: h.ref, token: h.token as string | undefined })),
    fc.tuple(refs(w), tokens(w)).map(([ref, token]) => ({ ref, token })),
  );
  const request = (
    method: fc.Arbitrary<string>,
    path: fc.Arbitrary<string>,
    body: fc.Arbitrary<Buffer | null>,
    { token = tokens(w), json = false }: { token?: fc.Arbitrary<string | undefined>; json?: boolean } = {},
  ): fc.Arbitrary<Raw> =>
    fc.record({ method, path, headers, token, body }).map(({ headers: h, token: t, ...r }) => ({
      ...r,
      headers: defined({ ...h, 'lease-token': t, ...(json ? { 'content-type': 'application/json' } : {}) }),
    }));
  const leaseCall = (
    suffix: fc.Arbitrary<string>,
    method: fc.Arbitrary<string>,
    body: fc.Arbitrary<Buffer | null>,
  ) =>
    fc.tuple(workerIds, leased, suffix).chain(([id, { ref, token }, tail]) =>
      request(method, fc.constant(`/v1/workers/${id}/jobs/${ref}/${tail}`), body, {
        token: fc.constant(token),
      }),
    );
  return fc.oneof(
    request(mostlyPost, fc.constant('/v1/workers'), fc.oneof(registrations(w), registrations(w), bodies)),
    request(
      methods,
      fc.oneof(fc.constant(w.spare), ids).map((id) => `/v1/workers/${id}`),
      bodies,
    ),
    // A claim's content type is always JSON: an empty body without one is a valid claim that waits 30 s.
    request(
      mostlyPost,
      workerIds.map((id) => `/v1/workers/${id}/claim`),
      claimBodies(w),
      { json: true },
    ),
    leaseCall(
      fc.constantFrom('heartbeat', 'complete', 'fail', 'release', 'cancel'),
      mostlyPost,
      fc.oneof(
        reports,
        reports,
        jsonBodies.map((s) => Buffer.from(s)),
        bodies,
      ),
    ),
    leaseCall(
      fc
        .oneof(artifactNames, fc.constantFrom('out.bin', '.hidden', 'a'.repeat(129)))
        .map((name) => `artifacts/${name}`),
      fc.oneof(fc.constant('PUT'), fc.constant('PUT'), methods),
      artifactBodies,
    ),
  );
}

/** The workers and the declared types as the server lists them, to account for every change. */
export interface WorkerSnapshot {
  workers: string[];
  /** Remote types: name → schema and queue, as JSON. */
  types: Map<string, string>;
}

export async function workerSnapshot(base: string): Promise<WorkerSnapshot> {
  const workers = await call(base, 'GET', '/v1/workers');
  const types = await call(base, 'GET', '/v1/types');
  if (workers.status !== 200 || types.status !== 200) {
    throw new Error(`GET /v1/workers ${workers.status}, GET /v1/types ${types.status}`);
  }
  return {
    workers: (workers.body.data as { id: string }[]).map((w) => w.id),
    types: new Map(
      (types.body.data as { type: string; remote?: boolean; input_schema?: unknown; queue?: string }[])
        .filter((t) => t.remote)
        .map((t) => [t.type, JSON.stringify({ schema: t.input_schema, queue: t.queue })]),
    ),
  };
}

/**
 * What changed in workers and declared types that no accepted request
 * explains: a worker added beyond the accepted registrations or removed
 * beyond the accepted DELETEs, a type changed or added that no accepted
 * registration declared, a type lost.
 */
export function unexplainedWorkerChanges(
  before: WorkerSnapshot,
  after: WorkerSnapshot,
  mutations: readonly Mutation[],
): string[] {
  const problems: string[] = [];
  const registered = mutations.filter((m) => m.declared !== undefined);
  const removed = mutations.filter(
    (m) => m.method === 'DELETE' && m.status >= 200 && /^\/v1\/workers\/[^/]+$/.test(m.path),
  );
  const expected = before.workers.length + registered.length - removed.length;
  if (after.workers.length !== expected) {
    problems.push(
      `${after.workers.length} workers; expected ${before.workers.length} + ${registered.length} registered − ${removed.length} removed`,
    );
  }
  const declared = new Set(registered.flatMap((m) => m.declared ?? []));
  for (const [type, was] of before.types) {
    if (!after.types.has(type)) problems.push(`declared type ${type} lost`);
    else if (after.types.get(type) !== was && !declared.has(type))
      problems.push(`declared type ${type} changed`);
  }
  for (const type of after.types.keys()) {
    if (!before.types.has(type) && !declared.has(type))
      problems.push(`type ${type} declared by no accepted request`);
  }
  return problems;
}

const json = { 'content-type': 'application/json' };

/** A PUT with a chunked body (no Content-Length), on a connection of its own; the status and error code. */
function putChunked(
  base: URL,
  path: string,
  headers: Record<string, string>,
  chunks: readonly Buffer[],
): Promise<{ status: number; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method: 'PUT', path, headers, agent: false, timeout: 5000 },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d;
        });
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = JSON.parse(text)?.error?.code;
          } catch {
            code = undefined;
          }
          resolve({ status: res.statusCode ?? 0, code });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in 5000 ms: PUT ${path}`)));
    // The server may answer and close before the body is all sent.
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/**
 * Each documented refusal of the worker routes, on an open server with
 * `--max-file-size 64k`: the answer, and that the jobs the worker holds, the
 * workers and the declared types are as they were. Ends by completing a job,
 * to show the protocol still works after it all.
 */
export async function workerProbes(base: string, { dataDir }: { dataDir: string }): Promise<Probe[]> {
  const type = 'chaos.probed';
  const worker = await registerWorker(base, type, 'probe');
  const other = await registerWorker(base, type, 'probe-other');
  const [a, b] = await holdJobs(base, { worker, type, count: 2 });
  const held = [a!, b!];
  const states = async () => Promise.all(held.map((h) => jobState(base, h.id)));
  const jobsBefore = await states();
  const snapshot = await workerSnapshot(base);
  const probes: Probe[] = [];
  const url = new URL(base);
  // Each on a connection of its own, so that one left unusable cannot fail the next (that is probed below).
  const probe = async (name: string, raw: Raw, status: number, code: string) => {
    const res = await send(url, raw, { agent: false, timeoutMs: 5000 }).catch((err: Error) => err);
    if (res instanceof Error) {
      probes.push({ name, ok: false, got: res.message });
      return;
    }
    let got: string | undefined;
    try {
      got = JSON.parse(res.body)?.error?.code;
    } catch {
      got = undefined;
    }
    probes.push({
      name,
      ok: res.status === status && got === code,
      got: `${res.status} ${res.body.slice(0, 120)}`,
    });
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Raw => ({
    method: 'POST',
    path,
    headers: { ...json, ...headers },
    body: Buffer.from(JSON.stringify(body)),
  });
  const leasePath = (w: string, ref: string, action: string) =>
    `/v1/workers/${w}/jobs/${encodeURIComponent(ref)}/${action}`;
  const register = (types: unknown) => post('/v1/workers', { name: 'probe', types });

  await probe(
    "register a type of the server's own",
    register([{ type: 'simulate', input_schema: {} }]),
    409,
    'job_type_taken',
  );
  await probe(
    "register into a queue of the server's own",
    register([{ type: 'chaos.probe2', input_schema: SCHEMA, queue: 'media' }]),
    422,
    'queue_not_allowed',
  );
  await probe(
    'move a declared type to another queue',
    register([{ type, input_schema: SCHEMA, queue: 'chaos.elsewhere' }]),
    422,
    'queue_not_allowed',
  );
  await probe(
    'an input schema that does not compile',
    register([
      { type: 'chaos.probe3', input_schema: { type: 'object', properties: { x: { type: 'nope' } } } },
    ]),
    422,
    'invalid_input_schema',
  );
  await probe(
    'a type name against the rule',
    register([{ type: 'Bad Name', input_schema: {} }]),
    400,
    'invalid_request',
  );
  await probe(
    '51 types',
    register(Array.from({ length: 51 }, (_, i) => ({ type: `chaos.p${i}`, input_schema: {} }))),
    400,
    'invalid_request',
  );
  await probe('no types', register([]), 400, 'invalid_request');

  await probe(
    'claim an undeclared type',
    post(`/v1/workers/${worker}/claim`, { types: ['chaos.undeclared'], wait_seconds: 0 }),
    422,
    'type_not_declared',
  );
  await probe(
    "claim a type of the server's own",
    post(`/v1/workers/${worker}/claim`, { types: ['simulate'], wait_seconds: 0 }),
    422,
    'type_not_declared',
  );
  await probe(
    'claim for an unknown worker',
    post('/v1/workers/wrk_nope/claim', { wait_seconds: 0 }),
    404,
    'worker_not_found',
  );
  await probe(
    'claim max_jobs 0',
    post(`/v1/workers/${worker}/claim`, { max_jobs: 0, wait_seconds: 0 }),
    400,
    'invalid_request',
  );
  await probe(
    'claim wait_seconds 61',
    post(`/v1/workers/${worker}/claim`, { wait_seconds: 61 }),
    400,
    'invalid_request',
  );

  for (const action of ['heartbeat', 'complete', 'fail', 'release']) {
    const body =
      action === 'complete'
        ? { output: {} }
        : action === 'fail'
          ? { error: { code: 'x', message: 'x' } }
          : {};
    await probe(
      `${action} without a lease token`,
      post(leasePath(worker, a!.ref, action), body),
      400,
      'invalid_lease',
    );
    await probe(
      `${action} with a wrong token`,
      post(leasePath(worker, a!.ref, action), body, { 'lease-token': 'wrong' }),
      409,
      'lease_lost',
    );
    await probe(
      `${action} with another job's token`,
      post(leasePath(worker, a!.ref, action), body, { 'lease-token': b!.token }),
      409,
      'lease_lost',
    );
    await probe(
      `${action} by another worker with the right token`,
      post(leasePath(other, a!.ref, action), body, { 'lease-token': a!.token }),
      409,
      'lease_lost',
    );
    await probe(
      `${action} of a ref without a tenant`,
      post(leasePath(worker, 'nocolon', action), body, { 'lease-token': a!.token }),
      400,
      'invalid_lease',
    );
    await probe(
      `${action} of a job that does not exist`,
      // Not an id the generated requests use ('nope' is one): a generated create may have made it.
      post(leasePath(worker, `default:absent-${randomUUID()}`, action), body, { 'lease-token': a!.token }),
      404,
      'job_not_found',
    );
  }
  await probe(
    'complete with an output that is not an object',
    post(leasePath(worker, a!.ref, 'complete'), { output: [1] }, { 'lease-token': a!.token }),
    400,
    'invalid_request',
  );
  await probe(
    'fail with an error code against the rule',
    post(
      leasePath(worker, a!.ref, 'fail'),
      { error: { code: 'Bad Code', message: 'x' } },
      { 'lease-token': a!.token },
    ),
    400,
    'invalid_request',
  );

  const artifact = (name: string, body: Buffer, token = a!.token): Raw => ({
    method: 'PUT',
    path: `/v1/workers/${worker}/jobs/${encodeURIComponent(a!.ref)}/artifacts/${name}`,
    headers: { 'content-type': 'application/octet-stream', 'lease-token': token },
    body,
  });
  await probe(
    'an artifact over --max-file-size',
    artifact('big.bin', Buffer.alloc(256 * 1024, 0x61)),
    413,
    'artifact_too_large',
  );
  await probe(
    'an artifact name starting with a dot',
    artifact('.hidden', Buffer.from('x')),
    400,
    'invalid_artifact_name',
  );
  await probe(
    'an artifact with a wrong token',
    artifact('out.bin', Buffer.from('x'), 'wrong'),
    409,
    'lease_lost',
  );
  // Chunked, so that the server learns the size only by counting.
  const chunked = await putChunked(
    url,
    `/v1/workers/${worker}/jobs/${encodeURIComponent(a!.ref)}/artifacts/big2.bin`,
    { 'lease-token': a!.token },
    Array.from({ length: 16 }, () => Buffer.alloc(32 * 1024, 0x62)),
  ).catch((err: Error) => err);
  probes.push({
    name: 'a chunked artifact over --max-file-size is 413 artifact_too_large',
    ok: !(chunked instanceof Error) && chunked.status === 413 && chunked.code === 'artifact_too_large',
    got: chunked instanceof Error ? chunked.message : `${chunked.status} ${chunked.code}`,
  });
  // A 413 answered while the body still arrives: the connection must be usable after it, or closed.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const big = await send(url, artifact('big3.bin', Buffer.alloc(1024 * 1024, 0x63)), {
      agent,
      timeoutMs: 5000,
    });
    const next = await send(
      url,
      post(leasePath(worker, a!.ref, 'heartbeat'), {}, { 'lease-token': 'wrong' }),
      {
        agent,
        timeoutMs: 5000,
      },
    ).catch((err: Error) => err);
    probes.push({
      name: 'after a 413 artifact_too_large, the next request on the kept-alive connection is answered',
      ok: !(next instanceof Error) && next.status === 409,
      got: `${big.status}, then ${next instanceof Error ? next.message : next.status}`,
    });
  } finally {
    agent.destroy();
  }
  const temp = join(dataDir, 'tmp', 'remote-artifacts');
  let left: string[] = [];
  try {
    left = readdirSync(temp);
  } catch {
    left = [];
  }
  probes.push({
    name: 'no partial artifact left behind',
    ok: left.length === 0,
    got: left.join(', ') || 'none',
  });

  const jobsAfter = await states();
  probes.push({
    name: 'the held jobs are unchanged by every refused call',
    ok: jobsAfter.every((s, i) => s === jobsBefore[i]),
    got: jobsAfter.filter((s, i) => s !== jobsBefore[i]).join('; ') || 'unchanged',
  });
  const workersNow = await workerSnapshot(base);
  const changes = unexplainedWorkerChanges(snapshot, workersNow, []);
  probes.push({
    name: 'workers and declared types unchanged by refused registrations',
    ok: changes.length === 0,
    got: changes.join('; ') || 'unchanged',
  });

  const done = await call(base, 'POST', `/v1/workers/${worker}/jobs/${encodeURIComponent(a!.ref)}/complete`, {
    body: { output: { ok: true } },
    headers: { 'lease-token': a!.token },
  });
  probes.push({
    name: 'the right token still completes the job after it all',
    ok: done.status === 200 && done.body.status === 'completed',
    got: `${done.status} ${done.text.slice(0, 100)}`,
  });
  return probes;
}

/** Workers' roles on a server with keys: a client key cannot work jobs, a worker key cannot submit, keys do not share workers. */
export async function workerRoleProbes(
  keyed: string,
  { clientKey, workerKey, otherWorkerKey }: { clientKey: string; workerKey: string; otherWorkerKey: string },
): Promise<Probe[]> {
  const probes: Probe[] = [];
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const body = { name: 'role-probe', types: [{ type: 'chaos.roles', input_schema: SCHEMA }] };
  const byClient = await call(keyed, 'POST', '/v1/workers', { body, headers: as(clientKey) });
  probes.push({
    name: 'a client key cannot register a worker (403 forbidden)',
    ok: byClient.status === 403 && byClient.body?.error?.code === 'forbidden',
    got: `${byClient.status} ${byClient.text.slice(0, 100)}`,
  });
  const registered = await call(keyed, 'POST', '/v1/workers', { body, headers: as(workerKey) });
  const submitted = await call(keyed, 'POST', '/v1/jobs', {
    body: { type: 'chaos.roles', input: { n: 1 } },
    headers: as(workerKey),
  });
  probes.push({
    name: 'a worker key cannot submit a job (403 forbidden)',
    ok: registered.status === 201 && submitted.status === 403 && submitted.body?.error?.code === 'forbidden',
    got: `register ${registered.status}, submit ${submitted.status} ${submitted.text.slice(0, 100)}`,
  });
  const claimed = await call(keyed, 'POST', `/v1/workers/${registered.body?.id}/claim`, {
    body: { wait_seconds: 0 },
    headers: as(otherWorkerKey),
  });
  probes.push({
    name: 'another worker key gets 404 worker_not_found for a worker it did not register',
    ok: claimed.status === 404 && claimed.body?.error?.code === 'worker_not_found',
    got: `${claimed.status} ${claimed.text.slice(0, 100)}`,
  });
  return probes;
}
