import { connect } from 'node:net';
import { API_ERRORS } from '@longrun/server';
import { startServer } from '@longrun/testkit';
import { fuzzRoutes, limitProbes, openServerProbes, send } from '../hostile-input.js';
import {
  holdJobs,
  registerWorker,
  unexplainedWorkerChanges,
  type WorkerFixture,
  workerProbes,
  workerRequests,
  workerRoleProbes,
  workerSnapshot,
} from '../hostile-workers.js';
import { call, submit } from '../http.js';
import { allTerminal, listAll } from '../jobs.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

/** Artifact names and job ids that try to leave the job's folder, by every spelling. */
const TRAVERSALS = [
  '..%2F..%2Flongrun.db',
  '..%2f..%2f..%2flongrun.db',
  '%2e%2e%2f%2e%2e%2flongrun.db',
  '..%252f..%252flongrun.db',
  '%2Fetc%2Fpasswd',
  '%2fproc%2fself%2fenviron',
  '....%2F%2F....%2F%2Fetc%2Fpasswd',
  '..%5C..%5Clongrun.db',
  '.partial-0',
  'video.mp4%00.txt',
  '..',
  '%2e%2e',
  '.',
];

/** A request line of raw bytes (invalid UTF-8 and control bytes a client library would refuse to send). */
function rawBytes(url: string, line: Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.end(Buffer.concat([line, Buffer.from('\r\nHost: x\r\nConnection: close\r\n\r\n')])),
    );
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/**
 * Property-based fuzzing of every route with hostile input (fast-check):
 * no 5xx, no crash, every error in the documented shape with a documented
 * code, the store changed only by accepted requests; and artifact paths that
 * try to climb out of the job's folder are refused.
 */
export const hostileInput: Scenario = {
  name: 'hostile-input',
  title:
    'fuzzing every route: zero 5xx, errors in the documented shape, store unchanged by rejected requests',
  async run(ctx, result) {
    // A lease that outlasts the run (the fuzzer holds jobs as a remote worker; nothing but a request
    // may change them), and a small artifact limit to go past.
    const server = await startServer(
      [
        ...['--concurrency', '2', '--wait-concurrency', '2', '--simulate-error-rate', '0'],
        ...['--lease', '10m', '--max-file-size', '64k'],
      ],
      {
        echo: ctx.echo,
      },
    );
    try {
      const base = server.url;
      const deadline = Date.now() + 60_000;
      // Terminal jobs, so that nothing but a request can change them; one has artifacts.
      const ids = [
        await submit(
          base,
          { type: 'simulate', id: 'job-1', input: { duration_seconds: 0 } },
          { key: 'h-1', deadline },
        ),
        await submit(
          base,
          { type: 'simulate', id: 'job:1.2_3-4', input: { duration_seconds: 0 } },
          { key: 'h-2', deadline },
        ),
        await submit(
          base,
          { type: 'text.to_video', input: { text: 'Hostile input.', width: 320, height: 240 } },
          { key: 'h-3', deadline },
        ),
      ];
      await allTerminal(base, ids, deadline);
      // A remote worker holding four jobs, for the fuzzer to speak for, and one more queued for claims.
      const type = 'chaos.fuzz';
      const fixture: WorkerFixture = {
        id: await registerWorker(base, type, 'fuzz'),
        spare: await registerWorker(base, type, 'fuzz-spare'),
        type,
        held: [],
      };
      fixture.held = await holdJobs(base, { worker: fixture.id, type, count: 4 });
      await submit(base, { type, input: { n: 99 } }, { key: 'h-queued', deadline });
      const before = new Map((await listAll(base)).map((j) => [j.id, j.version]));
      const workersBefore = await workerSnapshot(base);
      const media = ids[2]!;

      const runs = ctx.quick ? 400 : 3000;
      const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31);
      const stats = await fuzzRoutes(base, {
        runs,
        seed,
        codes: new Set(Object.keys(API_ERRORS)),
        more: workerRequests(fixture),
      });
      result.jobs = stats.requests;
      const workerChanges = unexplainedWorkerChanges(
        workersBefore,
        await workerSnapshot(base),
        stats.mutations,
      );

      // Traversal, sent byte for byte (no client-side normalisation of dot segments).
      const traversal: string[] = [];
      const paths = [
        ...TRAVERSALS.map((name) => `/v1/jobs/${media}/artifacts/${name}`),
        ...TRAVERSALS.map((id) => `/v1/jobs/${id}/artifacts/longrun.db`),
        `/v1/jobs/${media}/artifacts/../../longrun.db`,
        `/v1/jobs/${media}/artifacts//etc/passwd`,
      ];
      for (const path of paths) {
        const r = await send(new URL(base), { method: 'GET', path, headers: {}, body: null });
        const leaked = /SQLite format|root:|PATH=/.test(r.body);
        if (r.status < 400 || r.status >= 500 || leaked) traversal.push(`${path} → ${r.status}`);
      }
      const rawLines = [
        Buffer.from([...Buffer.from('GET /v1/jobs/'), 0xff, 0xfe, 0xc3, 0x28, ...Buffer.from(' HTTP/1.1')]),
        Buffer.from([...Buffer.from('GET /v1/jobs/'), 0xe0, 0xa4, ...Buffer.from('/artifacts/x HTTP/1.1')]),
        Buffer.from('GET /v1/jobs/%ff%fe HTTP/1.1'),
        Buffer.from('GET /v1/jobs/a\u0001b HTTP/1.1'),
        Buffer.from('POST /v1/jobs HTTP/1.1\r\nContent-Length: -1'),
        Buffer.from('POST /v1/jobs HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked'),
      ];
      const rawBad: string[] = [];
      for (const line of rawLines) {
        const answer = await rawBytes(base, line);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
        let code: unknown;
        try {
          code = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error?.code;
        } catch {
          code = undefined;
        }
        if (status < 400 || status >= 500 || typeof code !== 'string' || !(code in API_ERRORS)) {
          rawBad.push(`${line.toString('latin1').slice(0, 40)} → ${answer.slice(0, 60) || 'closed'}`);
        }
      }

      // The findings of issue 18, each sent again; the limits on a server started with them.
      const probes = await openServerProbes(base);
      const authFailureLimit = 20;
      const keyed = await startServer(
        [
          '--api-keys',
          'chaos-hostile-key:hostile',
          '--auth-failure-limit',
          String(authFailureLimit),
          '--job-timeout',
          '2s',
          '--max-data-url-size',
          '64k',
          '--max-input-size',
          '256k',
          '--wait-concurrency',
          '2',
          '--worker-keys',
          'chaos-worker-key:w1,chaos-worker-key-2:w2',
        ],
        { echo: ctx.echo },
      );
      try {
        probes.push(
          ...(await limitProbes(keyed.url, {
            key: 'chaos-hostile-key',
            authFailureLimit,
            deadline: Date.now() + 30_000,
          })),
          ...(await workerRoleProbes(keyed.url, {
            clientKey: 'chaos-hostile-key',
            workerKey: 'chaos-worker-key',
            otherWorkerKey: 'chaos-worker-key-2',
          })),
        );
      } finally {
        await keyed.kill('SIGKILL');
        await keyed.close();
      }

      // The store: only accepted requests changed it.
      const after = await listAll(base);
      const deleted = stats.mutations.filter(
        (m) => m.method === 'DELETE' && m.status >= 200 && m.path.startsWith('/v1/jobs/'),
      ).length;
      const touched = (id: string) =>
        stats.mutations.some(
          (m) => m.path.includes(encodeURIComponent(id)) || m.path.includes(id) || m.jobs?.includes(id),
        );
      // Each documented refusal of the worker routes; last, as it makes jobs and workers of its own.
      const workerProbeCount = probes.length;
      probes.push(...(await workerProbes(base, { dataDir: server.dataDir! })));
      const failedProbes = probes.filter((p) => !p.ok);
      const general = probes.slice(0, workerProbeCount);
      const ofWorkers = probes.slice(workerProbeCount);
      const changed = [...before].filter(([id, version]) => {
        const now = after.find((j) => j.id === id);
        return !touched(id) && now?.version !== version;
      });
      const alive = server.proc.exitCode === null && (await call(base, 'GET', '/healthz')).status === 200;
      result.serverErrors = stats.serverErrors.length;
      expect(
        result,
        stats.serverErrors.length === 0,
        `5xx: ${JSON.stringify(stats.serverErrors.slice(0, 2))} (seed ${seed})`,
      );
      expect(
        result,
        stats.badShape.length === 0,
        `badly shaped errors: ${JSON.stringify(stats.badShape.slice(0, 2))} (seed ${seed})`,
      );
      expect(
        result,
        stats.hangs.length === 0,
        `${stats.hangs.length} requests got no answer: ${JSON.stringify(stats.hangs.slice(0, 2))} (seed ${seed})`,
      );
      expect(result, alive, 'the server died or stopped answering');
      expect(
        result,
        after.length === before.size + stats.created - deleted,
        `${after.length} jobs; expected ${before.size} + ${stats.created} created − ${deleted} deleted`,
      );
      expect(
        result,
        changed.length === 0,
        `jobs changed by rejected requests: ${changed.map(([id]) => id).join(', ')}`,
      );
      expect(result, workerChanges.length === 0, `workers or types changed: ${workerChanges.join('; ')}`);
      expect(result, traversal.length === 0, `traversal not refused: ${traversal.slice(0, 3).join('; ')}`);
      expect(result, rawBad.length === 0, `raw requests: ${rawBad.slice(0, 3).join('; ')}`);
      for (const p of failedProbes) expect(result, false, `finding not fixed: ${p.name} (got ${p.got})`);
      const statuses = Object.entries(stats.byStatus)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([s, n]) => `${n}×${s}`)
        .join(' ');
      result.notes.push(
        `${stats.requests} generated requests (seed ${seed}), ${stats.toWorkers} of them to the remote-worker routes: ${statuses}`,
        `${stats.created} jobs created, ${deleted} deleted, ${stats.mutations.filter((m) => m.declared).length} workers registered by accepted requests; nothing else changed`,
        `${paths.length} traversal paths and ${rawLines.length} raw malformed requests refused with 4xx`,
        `${general.filter((p) => p.ok).length} of ${general.length} issue-18 findings and role probes answered as fixed (NUL text, dot ids, delay_seconds, status API shape, wrong-key limit, data: URL and input size, --job-timeout cap, client and worker keys)`,
        `${ofWorkers.filter((p) => p.ok).length} of ${ofWorkers.length} worker-route refusals as documented (registrations, claims, lease calls without or with wrong tokens, artifacts over --max-file-size), the held jobs unchanged`,
        'jobs column: requests sent',
      );
    } finally {
      await server.kill('SIGKILL');
      await server.close();
    }
  },
};
