import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Longrun, LongrunError, type WaitStrategy, WaitTimeoutError } from '@longrun/client';
import { startFaultProxy, startServer } from '@longrun/testkit';
import { listAll, TERMINAL } from '../jobs.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

/** How late past its deadline a wait may settle (one request's round trip, a timer's slack). */
const LATE_MS = 1500;
const STRATEGIES: WaitStrategy[] = ['auto', 'sse', 'long-poll', 'poll'];

interface Waited {
  i: number;
  id: string;
  strategy: WaitStrategy;
  deadline: number;
  settledAt: number;
  job?: Job;
  error?: unknown;
}

/**
 * The SDK through a proxy that drops, resets, delays and answers bursts of
 * 5xx and 429: every create makes exactly one job (idempotency keys), and
 * every wait ends by its deadline with the job's true terminal state, or
 * with WaitTimeoutError when the job truly had not ended.
 */
export const clientFaults: Scenario = {
  name: 'client-faults',
  title: 'SDK waits through a faulty proxy (drops, resets, delays, 5xx bursts) end right, by their deadline',
  async run(ctx, result) {
    const server = await startServer(
      ['--concurrency', '64', '--wait-concurrency', '64', '--simulate-error-rate', '0'],
      {
        echo: ctx.echo,
      },
    );
    const proxy = await startFaultProxy(server.url);
    let chaos = true;
    const injected: Record<string, number> = {};
    const count = (what: string, n = 1) => {
      injected[what] = (injected[what] ?? 0) + n;
    };
    try {
      const clientLogs = new Map<number, string[]>();
      const clientFor = (i: number) => {
        const lines: string[] = [];
        clientLogs.set(i, lines);
        const at =
          (level: string) =>
          (message: string, ...args: unknown[]) =>
            lines.push(
              `${new Date().toISOString()} ${level} ${message} ${args.map((a) => JSON.stringify(a)).join(' ')}`,
            );
        return new Longrun({
          baseUrl: proxy.url,
          timeoutMs: 5000,
          logLevel: 'debug',
          logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') },
        });
      };
      const jobs = ctx.quick ? 40 : 120;
      // Faults all along: bursts of errors, resets of every open connection, dropped or delayed requests.
      const injector = (async () => {
        for (let i = 0; chaos; i++) {
          switch (i % 6) {
            case 0:
              proxy.failNext(2, { status: 503, headers: { 'retry-after': '0' } });
              count('503 burst', 2);
              break;
            case 1:
              proxy.reset();
              count('reset');
              break;
            case 2:
              proxy.dropNext(2);
              count('dropped', 2);
              break;
            case 3:
              proxy.delayNext(2, 1200);
              count('delayed 1.2 s', 2);
              break;
            case 4:
              proxy.failNext(2, { status: 502, body: '<html>Bad gateway</html>' });
              count('502 burst', 2);
              break;
            case 5:
              proxy.failNext(1, { status: 429, headers: { 'retry-after': '1' } });
              count('429');
              break;
          }
          // Faults come in bursts with calm between, as on a real network: a wait must get through.
          await sleep(700 + (i % 5) * 150);
        }
      })();
      const waits = Array.from({ length: jobs }, async (_, i): Promise<Waited> => {
        // One job in eight runs past its wait's deadline; a quarter fail by design.
        const long = i % 8 === 7;
        const input = { duration_seconds: long ? 30 : 2 + (i % 7), error_rate: i % 4 === 1 ? 1 : 0 };
        const timeoutMs = long ? 8000 : 40_000;
        // Staggered, so that faults land on every phase of a wait.
        await sleep(i * 100);
        const strategy = STRATEGIES[i % STRATEGIES.length]!;
        const client = clientFor(i);
        let created: Job;
        try {
          created = await client.jobs.create({ type: 'simulate', input }, { idempotencyKey: `faults-${i}` });
        } catch {
          // The create itself may fail through the faults; the same key again must not make a second job.
          await sleep(500);
          created = await client.jobs.create({ type: 'simulate', input }, { idempotencyKey: `faults-${i}` });
        }
        const deadline = Date.now() + timeoutMs;
        try {
          const job = await client.jobs.wait(created, { timeoutMs, strategy });
          return { i, id: created.id, strategy, deadline, settledAt: Date.now(), job };
        } catch (error) {
          return { i, id: created.id, strategy, deadline, settledAt: Date.now(), error };
        }
      });
      const waited = await Promise.all(waits);
      chaos = false;
      await injector;

      // The truth, read from the server itself, not through the proxy.
      const truth = new Map((await listAll(server.url)).map((j) => [j.id, j]));
      let right = 0;
      let timeouts = 0;
      const wrong: string[] = [];
      let late = 0;
      const gaveUp: Record<string, number> = {};
      let maxLate = 0;
      for (const w of waited) {
        const actual = truth.get(w.id);
        const over = w.settledAt - w.deadline;
        maxLate = Math.max(maxLate, over);
        if (over > LATE_MS) late += 1;
        if (w.job) {
          if (actual && w.job.status === actual.status && TERMINAL.has(w.job.status)) right += 1;
          else
            wrong.push(`${w.id} (${w.strategy}): resolved ${w.job.status}, the server has ${actual?.status}`);
        } else if (w.error instanceof WaitTimeoutError) {
          const finished = actual?.finished_at ? Date.parse(actual.finished_at) : Number.POSITIVE_INFINITY;
          if (finished > w.deadline - 200) timeouts += 1;
          else {
            // The job ended in time, but the faults kept the wait from hearing it: typed, by the deadline.
            const key = 'WaitTimeoutError though the job had ended';
            gaveUp[key] = (gaveUp[key] ?? 0) + 1;
            if (process.env.CHAOS_DEBUG) ctx.log(`${w.id}:\n${clientLogs.get(w.i)?.join('\n')}`);
          }
        } else if (w.error instanceof LongrunError) {
          // A typed error the faults caused (a stream that kept breaking, retries spent): by the deadline.
          gaveUp[w.error.name] = (gaveUp[w.error.name] ?? 0) + 1;
        } else {
          const e = w.error as Error;
          wrong.push(`${w.id} (${w.strategy}): untyped ${e?.name}: ${e?.message}`);
        }
      }
      result.jobs = jobs;
      result.lost = late;
      result.duplicated = Math.max(0, truth.size - jobs);
      // 5xx the server itself sent (the proxy's own are faults, or its reaction to a reset).
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      result.serverErrors = [
        ...metrics.matchAll(/^longrun_http_request_seconds_count\{[^}]*status_code="5\d\d"[^}]*\} (\d+)/gm),
      ]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
      expect(result, result.serverErrors === 0, `${result.serverErrors} 5xx answers from the server itself`);
      expect(result, truth.size === jobs, `${truth.size} jobs on the server for ${jobs} idempotency keys`);
      expect(
        result,
        wrong.length === 0,
        `${wrong.length} waits ended wrongly: ${wrong.slice(0, 3).join('; ')}`,
      );
      expect(
        result,
        late === 0,
        `${late} waits settled more than ${LATE_MS} ms past their deadline (worst ${maxLate} ms)`,
      );
      result.notes.push(
        `@longrun/client, strategies ${STRATEGIES.join('/')}: ${right} waits resolved with the true terminal state, ${timeouts} WaitTimeoutError for jobs still running at their deadline`,
        `faults: ${Object.entries(injected)
          .map(([k, n]) => `${n}× ${k}`)
          .join(', ')}; ${proxy.log.length} requests through the proxy`,
        `latest settle ${maxLate} ms relative to the deadline (negative: early)`,
        `${Object.values(gaveUp).reduce((a, b) => a + b, 0)} waits gave up with a typed error the faults caused${
          Object.keys(gaveUp).length > 0
            ? `: ${Object.entries(gaveUp)
                .map(([k, n]) => `${n}× ${k}`)
                .join(', ')}`
            : ''
        }`,
        'lost column: waits that overran their deadline',
      );
    } finally {
      chaos = false;
      await proxy.close();
      await server.kill('SIGKILL');
      await server.close();
    }
  },
};
