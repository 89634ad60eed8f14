import { setTimeout as sleep } from 'node:timers/promises';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { call, submit, Tally, until } from '../http.js';
import { allTerminal, listAll } from '../jobs.js';
import { dropSchema, uniqueSchema } from '../postgres.js';
import {
  eventsOf,
  expectCompletedOnce,
  jobState,
  lateComplete,
  startWorker,
  type WorkerProcess,
} from '../remote-workers.js';
import { expect, type ScenarioResult } from '../report.js';
import type { Scenario, ScenarioContext } from '../scenario.js';

const TYPE = 'chaos.remote_kill';
const WORKERS = 3;
const SLOTS = 4;

/** A claim a killed worker held: what a late complete replays. */
interface Held {
  worker: string;
  ref: string;
  token: string;
  id: string;
  attempt: number;
  killedAt: number;
}

/**
 * Remote worker processes SIGKILLed mid-job, again and again, with a short
 * lease: each job a killed worker held runs again on another worker once
 * the lease runs out, every job is completed exactly once, and a killed
 * worker's complete, replayed late from its ref and token, is refused with
 * 409 lease_lost and changes nothing.
 */
async function killRemoteWorkers(
  ctx: ScenarioContext,
  result: ScenarioResult,
  backend: 'sqlite' | 'postgres',
): Promise<void> {
  const jobs = ctx.quick ? 60 : 300;
  const kills = ctx.quick ? 3 : 8;
  const schema = uniqueSchema('chaos_remote_kill');
  const args = ['--lease', '2s', '--maintenance-interval', '250ms', '--node-name', 'chaos-remote-kill'];
  if (backend === 'postgres') {
    if (!ctx.pgUrl) {
      result.notes.push('skipped: no PostgreSQL (--database-url)');
      return;
    }
    args.push('--database-url', ctx.pgUrl, '--database-schema', schema, '--database-pool-size', '8');
  }
  const server: LongrunServer = await startServer(args, { echo: ctx.echo });
  const workers: WorkerProcess[] = [];
  const spawnWorker = async () => {
    const w = await startWorker({
      server: server.url,
      type: TYPE,
      name: `w${workers.length + 1}`,
      slots: SLOTS,
      minMs: 1000,
      maxMs: 3000,
      echo: ctx.echo,
    });
    workers.push(w);
    return w;
  };
  try {
    for (let i = 0; i < WORKERS; i++) await spawnWorker();
    const tally = new Tally();
    const deadline = Date.now() + 60_000;
    const ids: string[] = [];
    for (let i = 0; i < jobs; i += 25) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, jobs - i) }, (_, k) =>
            submit(
              server.url,
              { type: TYPE, input: { n: i + k }, max_attempts: 10 },
              { key: `remote-kill-${i + k}`, deadline, tally },
            ),
          ),
        )),
      );
    }
    result.jobs = ids.length;

    // Kill a worker that holds jobs, start another in its place, let the lease run out; again.
    const held: Held[] = [];
    let midRunReplay: { status: number; code: string | undefined; unchanged: boolean; when: string } | null =
      null;
    for (let k = 0; k < kills; k++) {
      const victim = await until(
        'a live worker holding a job',
        async () =>
          workers.find(
            (w) => w.proc.exitCode === null && w.proc.signalCode === null && w.holding().length > 0,
          ),
        { deadline: Date.now() + 30_000, intervalMs: 50 },
      );
      const holding = victim.holding();
      await victim.kill('SIGKILL');
      const killedAt = Date.now();
      held.push(
        ...holding.map((c) => ({
          worker: c.worker,
          ref: c.ref,
          token: c.token,
          id: c.id,
          attempt: c.attempt,
          killedAt,
        })),
      );
      await spawnWorker();
      // Once the server took a job back from the killed worker (queued again, or running elsewhere),
      // the killed worker's complete must not land: once, at the first kill that caught a job its
      // worker had not begun to complete.
      const unsent = holding.find(
        (c) => !victim.events.some((e) => e.e === 'sending' && e.token === c.token),
      );
      if (midRunReplay === null && unsent) {
        const first = unsent;
        const taken = await until(
          'a job of the killed worker to be taken back',
          async () => {
            const job = JSON.parse(await jobState(server.url, first.id));
            return job.status === 'queued' || job.attempt > first.attempt ? job : null;
          },
          { deadline: Date.now() + 30_000, intervalMs: 20 },
        );
        const r = await lateComplete(server.url, first.worker, first.ref, first.token);
        const after = JSON.parse(await jobState(server.url, first.id));
        midRunReplay = {
          status: r.status,
          code: r.body?.error?.code,
          // It may be claimed meanwhile; it must not be completed by the late call.
          unchanged: after.output === null && after.status !== 'completed' && after.attempt >= taken.attempt,
          when: `${taken.status} at attempt ${taken.attempt}`,
        };
      }
      await sleep(ctx.quick ? 1500 : 3000);
    }

    await allTerminal(server.url, ids, Date.now() + 180_000);
    const final = new Map((await listAll(server.url)).map((j) => [j.id, j]));

    // Every claim that ran again, and how long after the kill.
    const claims = eventsOf(workers, 'claimed');
    const rerunMs: number[] = [];
    let finishedByTheKilled = 0;
    let takenBefore = 0;
    for (const h of held) {
      const again = claims.find((c) => c.id === h.id && c.attempt > h.attempt);
      // A lease can lapse before the kill on a busy machine: that job was already running elsewhere.
      if (again && again.seenAt < h.killedAt) takenBefore += 1;
      else if (again) rerunMs.push(again.seenAt - h.killedAt);
      else if (final.get(h.id)?.output?.worker_id === h.worker) finishedByTheKilled += 1;
    }
    const notRerun = held.length - rerunMs.length - finishedByTheKilled - takenBefore;
    // When the server put each back in the queue (its log line), apart from the wait for a free slot.
    const requeuedMs: number[] = [];
    for (const h of held) {
      const r = await call(server.url, 'GET', `/v1/jobs/${encodeURIComponent(h.id)}/logs?limit=1000`);
      const line = (r.body?.data as { timestamp: string; line: string }[] | undefined)?.find((l) =>
        l.line.startsWith(`attempt ${h.attempt} lost its worker`),
      );
      if (line) requeuedMs.push(Date.parse(line.timestamp) - h.killedAt);
    }

    // Each killed worker's complete, replayed now that every job ended: refused, and nothing changes.
    const replays: string[] = [];
    for (const h of held) {
      const before = await jobState(server.url, h.id);
      const r = await lateComplete(server.url, h.worker, h.ref, h.token);
      const after = await jobState(server.url, h.id);
      if (r.status !== 409 || r.body?.error?.code !== 'lease_lost' || before !== after) {
        replays.push(
          `${h.ref}: ${r.status} ${r.text.slice(0, 120)}${before === after ? '' : ' (the job changed)'}`,
        );
      }
    }

    // Accepted completes, as the workers saw them: at most one per job, and it is the output the job kept.
    const acceptedBy = await expectCompletedOnce(result, { base: server.url, ids, workers, tally });
    const mismatched = ids.filter((id) => {
      const job = final.get(id);
      const by = acceptedBy.get(id);
      return (
        job?.status !== 'completed' ||
        job.output?.attempt !== job.attempt ||
        (by !== undefined && by[0] !== job.output?.worker)
      );
    });
    const refusedLive = eventsOf(workers, 'completed').filter((c) => c.status !== 200);
    const reran = ids.filter((id) => (final.get(id)?.attempt ?? 0) > 1).length;

    expect(
      result,
      mismatched.length === 0,
      `${mismatched.length} jobs whose output is not the accepted complete of their last attempt: ${mismatched.slice(0, 3).join(', ')}`,
    );
    expect(result, held.length > 0, 'no kill caught a worker holding a job');
    expect(
      result,
      notRerun === 0,
      `${notRerun} jobs a killed worker held were neither run again nor finished by it`,
    );
    expect(result, replays.length === 0, `late completes not refused: ${replays.slice(0, 3).join('; ')}`);
    expect(
      result,
      midRunReplay?.status === 409 && midRunReplay.code === 'lease_lost' && midRunReplay.unchanged,
      `a late complete once the job was taken back: ${JSON.stringify(midRunReplay)}`,
    );
    result.recoverMs = rerunMs.length > 0 ? Math.max(...rerunMs) : null;
    const spread = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `median ${sorted[Math.floor(sorted.length / 2)] ?? 0} ms, max ${sorted.at(-1) ?? 0} ms`;
    };
    result.notes.push(
      `lease 2 s; ${WORKERS} worker processes × ${SLOTS} slots, ${kills} SIGKILLs, each replaced: ${held.length} claims of ${new Set(held.map((h) => h.id)).size} jobs held at a kill`,
      `kill to requeued by the server: ${spread(requeuedMs)} (${requeuedMs.length} seen in the logs); kill to claimed by another worker: ${spread(rerunMs)} (a requeued job keeps its place in the queue)`,
      `${finishedByTheKilled} completed by the killed worker just before it died, ${takenBefore} taken over before the kill (lease lapsed)`,
      `${reran} jobs took more than one attempt; ${refusedLive.length} completes of live workers refused (${[...new Set(refusedLive.map((c) => c.code))].join(', ') || 'none'})`,
      `late completes replayed: 1 once the job was taken back (${midRunReplay?.when}: ${midRunReplay?.status} ${midRunReplay?.code}), ${held.length} after the end (${held.length - replays.length} refused 409 lease_lost, job unchanged)`,
      'recover: SIGKILL to the slowest claim of a held job by another worker',
    );
  } finally {
    for (const w of workers) await w.kill('SIGKILL');
    await server.kill('SIGKILL');
    await server.close();
    if (backend === 'postgres' && ctx.pgUrl) await dropSchema(ctx.pgUrl, schema);
  }
}

export const remoteWorkerKillSqlite: Scenario = {
  name: 'remote-worker-kill-sqlite',
  title:
    'remote worker processes SIGKILLed mid-job (SQLite): every job completed once, late completes refused',
  run: (ctx, result) => killRemoteWorkers(ctx, result, 'sqlite'),
};

export const remoteWorkerKillPostgres: Scenario = {
  name: 'remote-worker-kill-postgres',
  title:
    'remote worker processes SIGKILLed mid-job (PostgreSQL): every job completed once, late completes refused',
  run: (ctx, result) => killRemoteWorkers(ctx, result, 'postgres'),
};
