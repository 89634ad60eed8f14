import { setTimeout as sleep } from 'node:timers/promises';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { call, submit, Tally, until } from '../http.js';
import { allTerminal, checkOutcome, expectEachEndedOnce, listAll } from '../jobs.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

const GRACE_MS = 3000;

/**
 * SIGTERM with jobs running, waiters connected and clients still sending:
 * the server stops accepting at once, lets short jobs finish, puts the long
 * ones back without spending an attempt, answers its waiters, and exits 0
 * within the grace period. A restart finishes the rest, each job once.
 */
export const sigterm: Scenario = {
  name: 'sigterm',
  title: 'SIGTERM: stops accepting, finishes or releases running jobs, exits 0 within the grace period',
  async run(ctx, result) {
    const dataDir = tempDir('longrun-chaos-term-');
    const args = [
      ...[
        '--concurrency',
        '4',
        '--wait-concurrency',
        '4',
        '--simulate-error-rate',
        '0',
        '--shutdown-grace',
        `${GRACE_MS}ms`,
      ],
      ...['--node-name', 'chaos-term'],
    ];
    let server: LongrunServer = await startServer(args, { dataDir, echo: ctx.echo });
    try {
      const tally = new Tally();
      const deadline = Date.now() + 30_000;
      const job = (key: string, seconds: number) =>
        submit(
          server.url,
          { type: 'simulate', input: { duration_seconds: seconds, error_rate: 0 } },
          { key, deadline, tally },
        );
      const short = [await job('short-0', 1.5), await job('short-1', 1.5)];
      const long = [await job('long-0', 60), await job('long-1', 60)];
      const queued: string[] = [];
      for (let i = 0; i < 6; i++) queued.push(await job(`queued-${i}`, 0.5));
      const ids = [...short, ...long, ...queued];
      result.jobs = ids.length;
      await until(
        'four jobs to run',
        async () => (await listAll(server.url)).filter((j) => j.status === 'running').length === 4,
        { deadline },
      );
      // Waiters that must be answered, not cut off or left hanging, when the server goes.
      // A queued job does not change while the server drains: only the shutdown can end this long-poll.
      const waitedOn = (await call(server.url, 'GET', `/v1/jobs/${queued.at(-1)}`)).body;
      const longPoll = call(server.url, 'GET', `/v1/jobs/${waitedOn.id}?wait=30&since=${waitedOn.version}`, {
        timeoutMs: 60_000,
      }).then(
        (r) => ({ status: r.status, at: Date.now() }),
        (err: Error) => ({ status: 0, at: Date.now(), error: err.message }),
      );
      const sse = fetch(`${server.url}/v1/jobs/${long[1]}/events`).then(async (res) => {
        await res.text();
        return { status: res.status, at: Date.now() };
      });
      await sleep(200);

      const pid = server.proc.pid;
      server.proc.kill('SIGTERM');
      const termAt = Date.now();
      // Clients keep sending. The signal takes a moment to land: what is accepted before the first
      // refusal must be kept and run; once the server refuses, it must never accept again.
      const answers: Record<string, number> = {};
      let accepted = 0;
      let refusing = false;
      const acceptedFirst: string[] = [];
      const sender = (async () => {
        for (;;) {
          try {
            const r = await call(server.url, 'POST', '/v1/jobs', {
              body: { type: 'simulate', input: { duration_seconds: 0 } },
              timeoutMs: 5000,
            });
            const key = `${r.status} ${r.body?.error?.code ?? ''}`.trim();
            answers[key] = (answers[key] ?? 0) + 1;
            if (r.status < 300 && refusing) accepted += 1;
            else if (r.status < 300) acceptedFirst.push(r.body.id);
            else {
              refusing = true;
              tally.see(r, 'POST after SIGTERM', r.body?.error?.code === 'shutting_down');
            }
          } catch (err) {
            const key = (err as Error & { cause?: { code?: string } }).cause?.code ?? 'connection error';
            answers[key] = (answers[key] ?? 0) + 1;
            refusing = true;
            if (server.proc.exitCode !== null || server.proc.signalCode !== null) return;
          }
          await sleep(50);
        }
      })();
      const code = await server.exited;
      const exitMs = Date.now() - termAt;
      await sender;
      const lp = await longPoll;
      const stream = await sse;
      result.recoverMs = exitMs;
      expect(result, code === 0, `exit code ${code}`);
      expect(
        result,
        exitMs <= GRACE_MS + 2000,
        `exited ${exitMs} ms after SIGTERM; the grace is ${GRACE_MS} ms`,
      );
      expect(result, accepted === 0, `${accepted} jobs accepted after the server began refusing`);
      ids.push(...acceptedFirst);
      result.jobs = ids.length;
      expect(
        result,
        lp.status === 200 && lp.at - termAt < GRACE_MS,
        `the long-poll ended ${lp.at - termAt} ms after SIGTERM with ${lp.status}`,
      );
      expect(
        result,
        stream.status === 200 && stream.at - termAt < GRACE_MS,
        `the SSE stream ended ${stream.at - termAt} ms after SIGTERM`,
      );

      // What the server left behind, read by an api node that runs nothing.
      const api = await startServer([...args, '--role', 'api'], { dataDir, echo: ctx.echo });
      const after = new Map((await listAll(api.url)).map((j) => [j.id, j]));
      await api.stop();
      const shortDone = short.filter((id) => after.get(id)?.status === 'completed').length;
      const released = long.filter(
        (id) => after.get(id)?.status === 'queued' && after.get(id)?.attempt === 0,
      ).length;
      const untouched = queued.filter((id) =>
        ['queued', 'completed'].includes(after.get(id)?.status ?? ''),
      ).length;
      expect(
        result,
        shortDone === short.length,
        `${shortDone} of ${short.length} short jobs finished in the grace period`,
      );
      expect(result, released === long.length, `${released} of ${long.length} long jobs released unspent`);
      expect(result, untouched === queued.length, 'a queued job was left in a wrong state');
      expect(result, ![...after.values()].some((j) => j.status === 'running'), 'a job was left running');

      // A restart finishes everything, once. The long jobs are canceled to keep the run short.
      server = await startServer(args, { dataDir, echo: ctx.echo });
      for (const id of long) await call(server.url, 'POST', `/v1/jobs/${id}/cancel`);
      await allTerminal(server.url, ids, Date.now() + 60_000);
      const outcome = await checkOutcome(server.url, ids);
      result.serverErrors = tally.unexpected5xx;
      expectEachEndedOnce(result, outcome);
      expect(result, tally.unexpected5xx === 0, `5xx: ${tally.samples.join('; ')}`);
      result.notes.push(
        `pid ${pid}: exit ${code} ${exitMs} ms after SIGTERM (grace ${GRACE_MS} ms)`,
        `${acceptedFirst.length} accepted before the signal landed (kept and run)`,
        `requests after SIGTERM: ${Object.entries(answers)
          .map(([k, n]) => `${n}× ${k}`)
          .join(', ')}`,
        `${shortDone} short jobs finished, ${released} long ones released with attempt 0; long-poll answered ${lp.status} after ${lp.at - termAt} ms, SSE closed after ${stream.at - termAt} ms`,
        'recover: SIGTERM to exit',
      );
    } finally {
      await server.kill('SIGKILL');
      removeDir(dataDir);
    }
  },
};
