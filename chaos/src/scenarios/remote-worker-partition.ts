import { type LongrunServer, startServer, startTcpProxy, type TcpProxy } from '@longrun/testkit';
import { submit, Tally, until } from '../http.js';
import { allTerminal, listAll } from '../jobs.js';
import {
  eventsOf,
  expectCompletedOnce,
  jobState,
  startWorker,
  type WorkerProcess,
} from '../remote-workers.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

const TYPE = 'chaos.remote_partition';
const LEASE_MS = 2000;
/** Cut for longer than two leases: the jobs must have run again elsewhere before the network heals. */
const CUT_MS = 2 * LEASE_MS + 1000;

/**
 * A remote worker cut off from the server mid-job (a TCP proxy that drops
 * everything, open connections and new ones) for longer than its lease: the
 * jobs it held run again on another worker; when the network heals, its late
 * heartbeat and late complete are refused with 409 lease_lost and change
 * nothing, and it goes back to claiming and completes new jobs.
 */
export const remoteWorkerPartition: Scenario = {
  name: 'remote-worker-partition',
  title: 'a remote worker partitioned past its lease: its jobs run elsewhere, its late calls get lease_lost',
  async run(ctx, result) {
    const rounds = ctx.quick ? 1 : 3;
    const afterwards = ctx.quick ? 8 : 20;
    const server: LongrunServer = await startServer(
      [
        '--lease',
        `${LEASE_MS}ms`,
        '--maintenance-interval',
        '250ms',
        '--node-name',
        'chaos-remote-partition',
      ],
      { echo: ctx.echo },
    );
    const proxy: TcpProxy = await startTcpProxy({ host: '127.0.0.1', port: server.port });
    const workers: WorkerProcess[] = [];
    const tally = new Tally();
    const ids: string[] = [];
    let n = 0;
    const submitJob = async (input: Record<string, unknown>) => {
      const id = await submit(
        server.url,
        { type: TYPE, input: { n, ...input }, max_attempts: 5 },
        { key: `remote-partition-${n}`, deadline: Date.now() + 30_000, tally },
      );
      n += 1;
      ids.push(id);
      return id;
    };
    try {
      // The partitioned worker, through the proxy, two jobs at a time; a request hangs at most 3 s.
      const p = await startWorker({
        server: proxy.via(server.url),
        type: TYPE,
        name: 'p',
        slots: 2,
        minMs: 200,
        maxMs: 600,
        timeoutMs: 3000,
        echo: ctx.echo,
      });
      workers.push(p);
      const rerunMs: number[] = [];
      const late: string[] = [];
      const changed: string[] = [];
      const wrongRerun: string[] = [];
      const backToWork: number[] = [];
      const lateAnswers: string[] = [];
      for (let round = 0; round < rounds; round++) {
        // Two jobs for p: one it holds past the heal (its next heartbeat is late), one whose work ends
        // during the cut (its complete is late). Another worker would take 200-600 ms.
        const held = await submitJob({ hold_ms: { p: 30_000 } });
        const ending = await submitJob({ hold_ms: { p: 1500 } });
        await until(
          'p to claim both jobs',
          async () => {
            const claimed = eventsOf([p], 'claimed').map((c) => c.id);
            return claimed.includes(held) && claimed.includes(ending);
          },
          { deadline: Date.now() + 20_000, intervalMs: 20 },
        );
        const cutAt = Date.now();
        proxy.blackhole(true);
        const b = await startWorker({
          server: server.url,
          type: TYPE,
          name: `b${round + 1}`,
          slots: 2,
          minMs: 200,
          maxMs: 600,
          echo: ctx.echo,
        });
        workers.push(b);
        // The other worker runs both again once p's lease is out, and completes them.
        await until(
          'both jobs completed by the other worker',
          async () => {
            const jobs = (await listAll(server.url)).filter((j) => j.id === held || j.id === ending);
            return jobs.length === 2 && jobs.every((j) => j.status === 'completed');
          },
          { deadline: Date.now() + 30_000, intervalMs: 50 },
        );
        for (const id of [held, ending]) {
          const again = eventsOf([b], 'claimed').find((c) => c.id === id);
          if (again) rerunMs.push(again.seenAt - cutAt);
        }
        const finished = new Map((await listAll(server.url)).map((j) => [j.id, j]));
        for (const id of [held, ending]) {
          const job = finished.get(id);
          if (job?.output?.worker !== b.name || job.attempt !== 2) {
            wrongRerun.push(`${id}: attempt ${job?.attempt} by ${job?.output?.worker}`);
          }
        }
        const before = new Map([
          [held, await jobState(server.url, held)],
          [ending, await jobState(server.url, ending)],
        ]);
        const wait = cutAt + CUT_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const claimsBeforeHeal = eventsOf([p], 'claimed').length;
        // The other worker leaves, so that the new jobs can only be p's.
        await b.kill('SIGKILL');
        proxy.blackhole(false);
        const healedAt = Date.now();

        // p's late calls: a heartbeat for the job it still works, a complete for the one it finished.
        const heldToken = eventsOf([p], 'claimed').find((c) => c.id === held)!.token;
        const endingToken = eventsOf([p], 'claimed').find((c) => c.id === ending)!.token;
        const answers = await until(
          "p's late heartbeat and late complete to be answered",
          async () => {
            const beat = eventsOf([p], 'lost').find((e) => e.token === heldToken);
            const done = eventsOf([p], 'completed').find((e) => e.token === endingToken);
            return beat && done ? { beat, done } : null;
          },
          { deadline: Date.now() + 20_000, intervalMs: 50 },
        );
        for (const [what, a] of [
          ['heartbeat', answers.beat],
          ['complete', answers.done],
        ] as const) {
          lateAnswers.push(`${what} ${a.status} ${a.code}`);
          if (a.status !== 409 || a.code !== 'lease_lost') late.push(`${what}: ${a.status} ${a.code}`);
        }
        for (const [id, state] of before) {
          const now = await jobState(server.url, id);
          if (now !== state) changed.push(`${id}: ${state} → ${now}`);
        }

        // Back to claiming: the new jobs are p's alone now.
        const fresh = await Promise.all(Array.from({ length: afterwards }, () => submitJob({})));
        await allTerminal(server.url, fresh, Date.now() + 60_000);
        const after = new Map((await listAll(server.url)).map((j) => [j.id, j]));
        const byP = fresh.filter((id) => after.get(id)?.output?.worker === 'p').length;
        if (byP !== afterwards || eventsOf([p], 'claimed').length <= claimsBeforeHeal) {
          late.push(`p completed ${byP} of ${afterwards} jobs submitted after the heal`);
        }
        const firstClaim = eventsOf([p], 'claimed').slice(claimsBeforeHeal)[0];
        if (firstClaim) backToWork.push(firstClaim.seenAt - healedAt);
      }

      await allTerminal(server.url, ids, Date.now() + 60_000);
      const cutErrors = eventsOf([p], 'error').length;

      result.jobs = ids.length;
      await expectCompletedOnce(result, { base: server.url, ids, workers, tally });
      expect(result, wrongRerun.length === 0, `not run again by the other worker: ${wrongRerun.join('; ')}`);
      expect(result, late.length === 0, `p after the heal: ${late.join('; ')}`);
      expect(result, changed.length === 0, `jobs changed by late calls: ${changed.join('; ')}`);
      result.recoverMs = rerunMs.length > 0 ? Math.max(...rerunMs) : null;
      result.notes.push(
        `lease ${LEASE_MS / 1000} s; ${rounds} cut(s) of ${CUT_MS / 1000} s (every packet dropped, open and new connections) with p holding 2 jobs`,
        `cut to the claim by another worker: ${rerunMs.join(', ')} ms; both completed there (attempt 2)`,
        `after the heal, p's late calls: ${[...new Set(lateAnswers)].join(', ')} (${lateAnswers.length} in all), the jobs unchanged; p claimed again ${backToWork.join(', ')} ms after the heal and completed ${afterwards} new job(s) per round`,
        `${cutErrors} requests of p failed without an answer during the cut`,
        'recover: cut to the slowest claim of a held job by another worker',
      );
    } finally {
      for (const w of workers) await w.kill('SIGKILL');
      await proxy.close();
      await server.kill('SIGKILL');
      await server.close();
    }
  },
};
