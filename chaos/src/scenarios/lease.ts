import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { submit, Tally, until } from '../http.js';
import { allTerminal, checkOutcome, expectEachEndedOnce, listAll } from '../jobs.js';
import { adminQuery, dropSchema, uniqueSchema } from '../postgres.js';
import { expect } from '../report.js';
import type { Scenario } from '../scenario.js';

const REFUSED = /outcome of an attempt that lost its lease was refused/g;
const STOPPED = /stopped an attempt that lost its lease/g;

/**
 * A worker process frozen past its lease (SIGSTOP, as a long GC pause or a
 * blocked event loop would): its jobs run again on another worker, and when
 * it wakes up its results are refused by the lease fence.
 */
export const staleWorker: Scenario = {
  name: 'stale-worker',
  title: 'a worker frozen past its lease (SIGSTOP): its jobs run elsewhere, its late results are refused',
  async run(ctx, result) {
    if (!ctx.pgUrl) throw new Error('no PostgreSQL: pass --database-url');
    const pgUrl = ctx.pgUrl;
    const jobs = ctx.quick ? 6 : 20;
    const schema = uniqueSchema('chaos_lease');
    const root = tempDir('longrun-chaos-lease-');
    const common = [
      ...['--database-url', pgUrl, '--database-schema', schema, '--database-pool-size', '4'],
      ...['--lease', '2s', '--maintenance-interval', '250ms', '--feed-probe-interval', '1s'],
      ...['--simulate-error-rate', '0', '--max-attempts', '5', '--artifacts-dir', join(root, 'artifacts')],
    ];
    const node = (name: string, role: string, extra: string[] = []) =>
      startServer([...common, '--role', role, '--node-name', name, ...extra], {
        dataDir: join(root, name),
        logLevel: 'info',
        echo: ctx.echo,
      });
    const started: LongrunServer[] = [];
    try {
      const api = await node('api', 'api');
      started.push(api);
      const w1 = await node('w1', 'worker', [
        '--concurrency',
        String(jobs),
        '--wait-concurrency',
        String(jobs),
      ]);
      started.push(w1);
      const tally = new Tally();
      const deadline = Date.now() + 30_000;
      const ids = await Promise.all(
        Array.from({ length: jobs }, (_, i) =>
          submit(
            api.url,
            { type: 'simulate', input: { duration_seconds: 3, error_rate: 0 } },
            { key: `lease-${i}`, deadline, tally },
          ),
        ),
      );
      result.jobs = ids.length;
      // Every job is held by w1, as the database has it.
      await until(
        'w1 to hold every job',
        async () => {
          const rows = await adminQuery<{ n: number }>(
            pgUrl,
            `SELECT count(*)::int AS n FROM ${schema}.jobs WHERE status = 'running' AND lease_owner LIKE 'w1:%'`,
          );
          return rows[0]!.n === jobs;
        },
        { deadline: Date.now() + 30_000 },
      );
      // Frozen before the second worker starts: however long that start takes on a busy machine,
      // w1 cannot finish its jobs first.
      w1.proc.kill('SIGSTOP');
      const stoppedAt = Date.now();
      const w2 = await node('w2', 'worker', [
        '--concurrency',
        String(jobs),
        '--wait-concurrency',
        String(jobs),
      ]);
      started.push(w2);
      await allTerminal(api.url, ids, Date.now() + 60_000);
      result.recoverMs = Date.now() - stoppedAt;
      // Wake w1 past the end of its jobs' runs: its processors finish at once and try to write.
      w1.proc.kill('SIGCONT');
      const fenced = await until(
        'w1 to give up every job',
        async () => {
          const out = w1.output();
          const refused = out.match(REFUSED)?.length ?? 0;
          const stopped = out.match(STOPPED)?.length ?? 0;
          return refused + stopped >= jobs ? { refused, stopped } : null;
        },
        { deadline: Date.now() + 20_000 },
      ).catch(() => {
        const out = w1.output();
        return { refused: out.match(REFUSED)?.length ?? 0, stopped: out.match(STOPPED)?.length ?? 0 };
      });
      await sleep(500);
      const outcome = await checkOutcome(api.url, ids);
      const final = await listAll(api.url);
      const secondAttempt = final.filter((j) => ids.includes(j.id) && j.attempt === 2).length;
      result.serverErrors = tally.unexpected5xx;
      expectEachEndedOnce(result, outcome);
      expect(
        result,
        (outcome.byStatus.completed ?? 0) === jobs,
        `statuses ${JSON.stringify(outcome.byStatus)}`,
      );
      expect(
        result,
        secondAttempt === jobs,
        `${secondAttempt} of ${jobs} jobs finished by their second attempt`,
      );
      expect(
        result,
        fenced.refused + fenced.stopped === jobs,
        `w1 gave up ${fenced.refused + fenced.stopped} of ${jobs} jobs after waking`,
      );
      result.notes.push(
        `lease 2 s; w1 SIGSTOPped holding ${jobs}, all finished by w2 (attempt 2)`,
        `after SIGCONT: ${fenced.refused} results refused by the fence, ${fenced.stopped} attempts stopped on a lost heartbeat`,
        'recover: SIGSTOP to every job completed elsewhere',
      );
    } finally {
      for (const s of started) {
        s.proc.kill('SIGCONT');
        await s.kill('SIGKILL');
      }
      await dropSchema(pgUrl, schema);
      removeDir(root);
    }
  },
};
