import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type LongrunServer,
  removeDir,
  type SseWaited,
  startServer,
  startTcpProxy,
  type TcpProxy,
  tempDir,
  waitBySse,
} from '@longrun/testkit';
import { call, submit, Tally, until } from '../http.js';
import { checkOutcome } from '../jobs.js';
import { adminQuery, type PrivateCluster, startPrivateCluster } from '../postgres.js';
import { expect, type ScenarioResult } from '../report.js';
import type { Scenario, ScenarioContext } from '../scenario.js';

const PROBE = '1s';

interface Deployment {
  cluster: PrivateCluster;
  /** Between the api node and PostgreSQL. */
  proxy: TcpProxy;
  api: LongrunServer;
  worker: LongrunServer;
  close(): Promise<void>;
}

/**
 * An api node (reaching PostgreSQL through a TCP proxy) and a worker node, on
 * a private PostgreSQL cluster this run may stop and start.
 */
async function deploy(ctx: ScenarioContext): Promise<Deployment> {
  const cluster = await startPrivateCluster();
  const root = tempDir('longrun-chaos-pgo-');
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: cluster.port });
  const common = [
    ...['--database-pool-size', '4', '--feed-probe-interval', PROBE, '--lease', '3s'],
    ...['--maintenance-interval', '500ms', '--simulate-error-rate', '0', '--max-attempts', '5'],
    ...['--artifacts-dir', join(root, 'artifacts')],
  ];
  const started: LongrunServer[] = [];
  const close = async () => {
    for (const s of started) await s.kill('SIGKILL');
    await proxy.close();
    await cluster.destroy();
    removeDir(root);
  };
  try {
    const api = await startServer(
      [...common, '--database-url', proxy.via(cluster.url), '--role', 'api', '--node-name', 'api'],
      { dataDir: join(root, 'api'), echo: ctx.echo },
    );
    started.push(api);
    const worker = await startServer(
      [
        ...common,
        '--database-url',
        cluster.url,
        '--role',
        'worker',
        '--node-name',
        'w',
        '--concurrency',
        '20',
        '--wait-concurrency',
        '20',
      ],
      { dataDir: join(root, 'w'), echo: ctx.echo },
    );
    started.push(worker);
    return { cluster, proxy, api, worker, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function feedState(server: LongrunServer): Promise<string> {
  try {
    const r = await call(server.url, 'GET', '/readyz', { timeoutMs: 2000 });
    return r.status === 200 ? String(r.body.feed) : `${r.status} ${r.body?.store ?? ''}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Submit jobs on the api node and wait for each by SSE there, as clients would. */
async function submitAndWait(
  d: Deployment,
  count: number,
  prefix: string,
  tally: Tally,
): Promise<{ ids: string[]; waits: Promise<SseWaited>[] }> {
  const deadline = Date.now() + 120_000;
  const ids = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      submit(
        d.api.url,
        { type: 'simulate', input: { duration_seconds: 1 + (i % 5), error_rate: 0 } },
        { key: `${prefix}-${i}`, deadline, tally },
      ),
    ),
  );
  return { ids, waits: ids.map((id) => waitBySse(d.api.url, id, { deadline })) };
}

/** Every waiter got exactly one terminal event, completed; the store agrees (each ended once). */
async function verify(
  d: Deployment,
  result: ScenarioResult,
  ids: string[],
  waits: Promise<SseWaited>[],
): Promise<SseWaited[]> {
  const settled = await Promise.allSettled(waits);
  const hanging = settled.filter((s) => s.status === 'rejected').length;
  const waited = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const outcome = await checkOutcome(d.api.url, ids);
  result.jobs += ids.length;
  result.lost += outcome.lost.length;
  result.duplicated += outcome.duplicated.length;
  expect(result, hanging === 0, `${hanging} waiters left hanging`);
  expect(
    result,
    waited.every((w) => w.terminalEvents === 1),
    'a waiter got more than one terminal event',
  );
  expect(
    result,
    waited.every((w) => w.terminal.status === 'completed'),
    'a job did not complete',
  );
  expect(result, outcome.lost.length === 0, `${outcome.lost.length} jobs lost`);
  const first = outcome.duplicated[0];
  const story = first
    ? ` (${first}: ${(
        await call(d.api.url, 'GET', `/v1/jobs/${encodeURIComponent(first)}/logs?limit=1000`)
      ).body.data
        ?.map((l: { line: string }) => l.line)
        .join(' / ')})`
    : '';
  expect(result, outcome.duplicated.length === 0, `${outcome.duplicated.length} jobs ended twice${story}`);
  return waited;
}

export const postgresRestart: Scenario = {
  name: 'postgres-restart',
  title: 'PostgreSQL restarted mid-run: both nodes reconnect, waiters get every job, none hangs',
  async run(ctx, result) {
    const d = await deploy(ctx);
    try {
      const tally = new Tally();
      let down = false;
      const { ids, waits } = await submitAndWait(d, ctx.quick ? 30 : 100, 'restart', tally);
      await until(
        'jobs to run',
        async () => {
          const r = await call(d.api.url, 'GET', '/v1/jobs?status=completed&limit=200');
          return r.body.data.length >= 5;
        },
        { deadline: Date.now() + 30_000 },
      );
      await d.cluster.stop('fast');
      down = true;
      const downAt = Date.now();
      // During the outage the API answers 503 store_unavailable, never 500; reads of cached jobs may work.
      let refused = 0;
      const outageSubmits: Promise<unknown>[] = [];
      while (Date.now() - downAt < 3000) {
        try {
          const r = await call(d.api.url, 'POST', '/v1/jobs', {
            body: { type: 'simulate', input: { duration_seconds: 0 } },
            timeoutMs: 15_000,
          });
          tally.see(r, 'POST during the outage', down);
          if (r.status === 503) refused += 1;
          else if (r.status === 202) outageSubmits.push(Promise.resolve(r.body.id));
        } catch {
          tally.connectionErrors += 1;
        }
        await sleep(200);
      }
      await d.cluster.start();
      const upAt = Date.now();
      await until(
        'both nodes to listen again',
        async () => (await feedState(d.api)) === 'listening' && (await feedState(d.worker)) === 'listening',
        { deadline: upAt + 60_000, intervalMs: 50 },
      );
      result.recoverMs = Date.now() - upAt;
      down = false;
      const waited = await verify(d, result, ids, waits);
      const afterUp = waited.filter((w) => w.at > upAt).length;
      result.serverErrors = tally.unexpected5xx;
      expect(result, tally.unexpected5xx === 0, `5xx: ${tally.samples.join('; ')}`);
      expect(result, refused > 0, 'no request was refused while PostgreSQL was down');
      result.notes.push(
        `PostgreSQL down ${upAt - downAt} ms (pg_ctl stop -m fast, then start)`,
        `${refused} submits during the outage got 503 store_unavailable`,
        `${afterUp} of ${ids.length} waiters got their terminal event after the restart; SSE reconnects ${waited.reduce((n, w) => n + w.reconnects, 0)}`,
        'recover: PostgreSQL back up to both nodes ready and listening',
      );
    } finally {
      await d.close();
    }
  },
};

export const listenHalfOpen: Scenario = {
  name: 'listen-half-open',
  title: "the api node's LISTEN connection goes half-open: the probe notices, it reconnects and re-reads",
  async run(ctx, result) {
    const d = await deploy(ctx);
    try {
      const tally = new Tally();
      const { ids, waits } = await submitAndWait(d, ctx.quick ? 30 : 100, 'halfopen', tally);
      // The api node's LISTEN connection, by the client port PostgreSQL sees: the proxy's side of it.
      const listeners = await adminQuery<{ port: number }>(
        d.cluster.url,
        `SELECT client_port AS port FROM pg_stat_activity WHERE application_name LIKE '%/listen'`,
      );
      const ports = new Set(listeners.map((l) => l.port));
      const frozen = d.proxy.freeze((c) => ports.has(c.upstreamPort));
      const frozenAt = Date.now();
      expect(result, frozen === 1, `${frozen} connections frozen, not the one LISTEN connection`);
      // The probe finds it dead: the feed leaves 'listening', then listens again on a new connection.
      let left = 0;
      await until(
        'the api node to listen again on a new connection',
        async () => {
          const state = await feedState(d.api);
          if (state !== 'listening') left = left || Date.now();
          return left > 0 && state === 'listening';
        },
        { deadline: frozenAt + 60_000, intervalMs: 25 },
      );
      result.recoverMs = Date.now() - frozenAt;
      const waited = await verify(d, result, ids, waits);
      const afterFreeze = waited.filter((w) => w.at > frozenAt);
      result.serverErrors = tally.unexpected5xx;
      expect(result, tally.unexpected5xx === 0, `5xx: ${tally.samples.join('; ')}`);
      result.notes.push(
        `probe interval ${PROBE}; noticed after ${left - frozenAt} ms`,
        `${afterFreeze.length} of ${ids.length} waiters got their terminal event after the freeze`,
        'recover: freeze to the feed listening again',
      );
    } finally {
      await d.close();
    }
  },
};
