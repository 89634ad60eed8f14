import { connect } from 'node:net';
import { API_ERRORS } from '@longrun/server';
import { startServer } from '@longrun/testkit';
import { fuzzRoutes, limitProbes, openServerProbes, send } from '../hostile-input.js';
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
    const server = await startServer(
      ['--concurrency', '2', '--wait-concurrency', '2', '--simulate-error-rate', '0'],
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
      const before = new Map((await listAll(base)).map((j) => [j.id, j.version]));
      const media = ids[2]!;

      const runs = ctx.quick ? 400 : 3000;
      const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31);
      const stats = await fuzzRoutes(base, { runs, seed, codes: new Set(Object.keys(API_ERRORS)) });
      result.jobs = stats.requests;

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
        );
      } finally {
        await keyed.kill('SIGKILL');
        await keyed.close();
      }
      const failedProbes = probes.filter((p) => !p.ok);

      // The store: only accepted requests changed it.
      const after = await listAll(base);
      const deleted = stats.mutations.filter((m) => m.method === 'DELETE').length;
      const touched = (id: string) =>
        stats.mutations.some((m) => m.path.includes(encodeURIComponent(id)) || m.path.includes(id));
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
      expect(result, traversal.length === 0, `traversal not refused: ${traversal.slice(0, 3).join('; ')}`);
      expect(result, rawBad.length === 0, `raw requests: ${rawBad.slice(0, 3).join('; ')}`);
      for (const p of failedProbes) expect(result, false, `finding not fixed: ${p.name} (got ${p.got})`);
      const statuses = Object.entries(stats.byStatus)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([s, n]) => `${n}×${s}`)
        .join(' ');
      result.notes.push(
        `${stats.requests} generated requests (seed ${seed}): ${statuses}`,
        `${stats.created} jobs created, ${deleted} deleted by accepted requests; nothing else changed`,
        `${paths.length} traversal paths and ${rawLines.length} raw malformed requests refused with 4xx`,
        `${probes.length - failedProbes.length} of ${probes.length} issue-18 findings answered as fixed (NUL text, dot ids, delay_seconds, status API shape, wrong-key limit, data: URL and input size, --job-timeout cap)`,
        'jobs column: requests sent',
      );
    } finally {
      await server.kill('SIGKILL');
      await server.close();
    }
  },
};
