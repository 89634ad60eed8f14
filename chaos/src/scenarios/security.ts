import { request } from 'node:http';
import { connect } from 'node:net';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { type Answer, call } from '../http.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

const ALPHA = 'sk-chaos-alpha-7Qk2Vx9Lm4';
const BETA = 'sk-chaos-beta-3Fh8Wn1Zp6';
const WRONG = 'sk-chaos-wrong-5Tr0Yb2Nc8';

/** Send headers and part of a body, then nothing; resolves with the answer and how long it took. */
function trickle(url: string, partial: string): Promise<{ answer: string; ms: number }> {
  const { hostname, port } = new URL(url);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(partial));
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('close', () => resolve({ answer, ms: Date.now() - t0 }));
    socket.on('error', reject);
  });
}

/** A body sent with chunked encoding (no Content-Length), as a client that streams it does. */
function chunkedPost(url: string, bytes: number, headers: Record<string, string>): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/v1/jobs',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (err) => reject(err));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    req.write('{"type":"simulate","input":{},"metadata":{"x":"');
    pump();
  });
}

function bodyOf(answer: string): { error?: { code?: string } } {
  try {
    return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
  } catch {
    return {};
  }
}

/**
 * What an attacker or a careless client can see or do: API keys never reach
 * the logs (even at trace level), tenants see only their own jobs, no
 * x-powered-by, CORS off unless configured, body size limits, and slow
 * request bodies or headers cut off.
 */
export const security: Scenario = {
  name: 'security',
  title:
    'keys never logged, tenants isolated, no x-powered-by, CORS off by default, body limits, slow bodies cut',
  async run(ctx, result) {
    const servers: LongrunServer[] = [];
    try {
      const server = await startServer(
        [
          '--api-keys',
          `${ALPHA}:alpha,${BETA}:beta`,
          '--request-timeout',
          '2s',
          '--simulate-error-rate',
          '0',
        ],
        { logLevel: 'trace', echo: ctx.echo },
      );
      servers.push(server);
      const base = server.url;
      const answers: Answer[] = [];
      const as = async (
        key: string | null,
        method: string,
        path: string,
        body?: unknown,
        headers: Record<string, string> = {},
      ) => {
        const r = await call(base, method, path, {
          ...(body === undefined ? {} : { body }),
          headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
        });
        answers.push(r);
        return r;
      };

      // Tenants.
      const job = await as(
        ALPHA,
        'POST',
        '/v1/jobs',
        { type: 'simulate', input: { duration_seconds: 0 } },
        { prefer: 'wait=5' },
      );
      result.jobs = 1;
      expect(result, job.status === 200 || job.status === 202, `alpha could not submit: ${job.status}`);
      const id = job.body.id as string;
      const betaGet = await as(BETA, 'GET', `/v1/jobs/${id}`);
      const betaList = await as(BETA, 'GET', '/v1/jobs');
      const betaCancel = await as(BETA, 'POST', `/v1/jobs/${id}/cancel`);
      const betaLogs = await as(BETA, 'GET', `/v1/jobs/${id}/logs`);
      const betaEvents = await fetch(`${base}/v1/jobs/${id}/events`, {
        headers: { authorization: `Bearer ${BETA}` },
      });
      await betaEvents.body?.cancel();
      expect(result, betaGet.status === 404, `beta read alpha's job: ${betaGet.status}`);
      expect(result, betaList.body?.data?.length === 0, "beta's list shows alpha's jobs");
      expect(result, betaCancel.status === 404, `beta canceled alpha's job: ${betaCancel.status}`);
      expect(result, betaLogs.status === 404, `beta read alpha's logs: ${betaLogs.status}`);
      expect(result, betaEvents.status === 404, `beta streamed alpha's events: ${betaEvents.status}`);

      // Keys, presented in every way, right and wrong.
      const unauthorized = [
        await as(WRONG, 'GET', '/v1/jobs'),
        await as(null, 'GET', '/v1/jobs', undefined, { 'x-api-key': WRONG }),
        await as(null, 'GET', `/v1/jobs?api_key=${WRONG}`),
        await as(null, 'GET', '/v1/jobs', undefined, {
          authorization: `Basic ${Buffer.from(`x:${WRONG}`).toString('base64')}`,
        }),
        await as(null, 'POST', '/v1/jobs', { type: 'simulate', input: {} }),
      ];
      expect(
        result,
        unauthorized.every((r) => r.status === 401 && r.body?.error?.code === 'unauthorized'),
        `a bad key was not refused with 401: ${unauthorized.map((r) => r.status).join(',')}`,
      );
      await as(null, 'GET', '/v1/jobs', undefined, { 'x-api-key': ALPHA });
      await as(ALPHA, 'GET', `/v1/jobs/${id}?wait=1`);
      await as(ALPHA, 'POST', '/v1/jobs', { type: 'simulate', input: { duration_seconds: -1 } });
      await as(ALPHA, 'POST', '/v1/jobs', { type: 'no.such.type', input: {} });

      // No x-powered-by, no CORS without configuration.
      const poweredBy = answers.filter((r) => r.headers.has('x-powered-by')).length;
      expect(result, poweredBy === 0, `${poweredBy} answers carry x-powered-by`);
      const preflight = await call(base, 'OPTIONS', '/v1/jobs', {
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      const simple = await call(base, 'GET', '/healthz', { headers: { origin: 'https://evil.example' } });
      const corsOff =
        !preflight.headers.has('access-control-allow-origin') &&
        !simple.headers.has('access-control-allow-origin');
      expect(result, corsOff, 'CORS headers sent without --cors-origins');

      // Body limits (3 MiB by default), with and without Content-Length.
      const big = await as(ALPHA, 'POST', '/v1/jobs', {
        type: 'simulate',
        input: {},
        metadata: { x: 'y'.repeat(4 * 1024 * 1024) },
      });
      expect(
        result,
        big.status === 413 && big.body?.error?.code === 'payload_too_large',
        `4 MiB body: ${big.status}`,
      );
      const chunked = await chunkedPost(base, 8 * 1024 * 1024, { authorization: `Bearer ${ALPHA}` }).catch(
        () => 0,
      );
      expect(result, chunked === 413 || chunked === 0, `8 MiB chunked body: ${chunked}`);

      // Slow bodies and slow headers (slowloris) are cut at --request-timeout.
      const slowBody = await trickle(
        base,
        `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ALPHA}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":`,
      );
      const slowHeaders = await trickle(base, 'GET /v1/jobs HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      expect(
        result,
        /^HTTP\/1\.1 408 /.test(slowBody.answer) && bodyOf(slowBody.answer).error?.code === 'request_timeout',
        `slow body: ${slowBody.answer.slice(0, 80) || 'closed without an answer'}`,
      );
      expect(
        result,
        /^HTTP\/1\.1 408 /.test(slowHeaders.answer),
        `slow headers: ${slowHeaders.answer.slice(0, 80) || 'closed'}`,
      );
      const healthy = (await call(base, 'GET', '/healthz')).status === 200;
      expect(result, healthy, 'the server is unhealthy after the slow clients');

      // CORS when configured: the listed origin only.
      const withCors = await startServer(['--cors-origins', 'https://app.example'], { echo: ctx.echo });
      servers.push(withCors);
      const allowed = await call(withCors.url, 'OPTIONS', '/v1/jobs', {
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      const refused = await call(withCors.url, 'OPTIONS', '/v1/jobs', {
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(
        result,
        allowed.headers.get('access-control-allow-origin') === 'https://app.example' &&
          !refused.headers.has('access-control-allow-origin'),
        `CORS with --cors-origins: allowed ${allowed.headers.get('access-control-allow-origin')}, other ${refused.headers.get('access-control-allow-origin')}`,
      );

      // Finally the logs, written at trace level: no key, nor its secret part, anywhere.
      await server.stop();
      const output = server.output();
      const leaks = [ALPHA, BETA, WRONG].flatMap((k) => [k, k.slice(-10)]).filter((s) => output.includes(s));
      expect(result, leaks.length === 0, `keys in the log: ${leaks.join(', ')}`);
      result.serverErrors = answers.filter((r) => r.status >= 500).length;
      expect(result, result.serverErrors === 0, '5xx answers');
      result.notes.push(
        `${output.split('\n').length - 1} log lines at trace level, ${leaks.length} with a key`,
        'another tenant: 404 on read, list, cancel, logs, events',
        `CORS off by default; body 4 MiB → ${big.status}, chunked 8 MiB → ${chunked || 'reset'}`,
        `slow body cut after ${slowBody.ms} ms, slow headers after ${slowHeaders.ms} ms (--request-timeout 2s)`,
      );
    } finally {
      for (const s of servers) await s.kill('SIGKILL');
      for (const s of servers) await s.close();
    }
  },
};
