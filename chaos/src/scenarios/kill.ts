import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { brokenArtifacts, servedEarly } from '../artifacts.js';
import { submit, Tally, until } from '../http.js';
import { allTerminal, checkOutcome, expectEachEndedOnce, type JobView, listAll, TERMINAL } from '../jobs.js';
import { dropSchema, uniqueSchema } from '../postgres.js';
import { expect, type ScenarioResult } from '../report.js';
import type { Scenario, ScenarioContext } from '../scenario.js';

const JOBS = 200;
const MEDIA_NAMES = ['video.mp4', 'captions.vtt'];

/**
 * SIGKILL of a server holding 200 jobs in flight (50 running, the rest
 * queued), some of them media jobs writing artifacts; a restart on the same
 * data: every job must end exactly once, and no artifact may be served before
 * it is whole, across the crash.
 */
async function killWithJobsInFlight(
  ctx: ScenarioContext,
  result: ScenarioResult,
  backend: 'sqlite' | 'postgres',
): Promise<void> {
  const media = ctx.quick ? 4 : 12;
  const root = tempDir('longrun-chaos-kill-');
  const schema = uniqueSchema('chaos_kill');
  const args = [
    ...['--concurrency', '50', '--wait-concurrency', '50', '--simulate-error-rate', '0', '--lease', '3s'],
    ...['--maintenance-interval', '500ms', '--node-name', 'chaos-kill'],
  ];
  if (backend === 'postgres') {
    if (!ctx.pgUrl) throw new Error('no PostgreSQL: pass --database-url');
    args.push('--database-url', ctx.pgUrl, '--database-schema', schema, '--database-pool-size', '8');
  }
  let server: LongrunServer = await startServer(args, { dataDir: join(root, 'data'), echo: ctx.echo });
  const tally = new Tally();
  const badArtifacts: string[] = [];
  let watching = true;
  let artifactChecks = 0;
  try {
    const deadline = Date.now() + 60_000;
    // Media jobs spread through the queue, so that some are rendering whenever the kill comes.
    const isMedia = (i: number) => i % Math.floor(JOBS / media) === 0 && i / Math.floor(JOBS / media) < media;
    const bodies = Array.from({ length: JOBS }, (_, i) =>
      isMedia(i)
        ? {
            type: 'text.to_video',
            input: {
              text: `Crash test ${i}: this line is read aloud while the server is killed.`,
              width: 640,
              height: 360,
            },
          }
        : { type: 'simulate', input: { duration_seconds: 1 + ((i * 37) % 50) / 10, error_rate: 0 } },
    );
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 25) {
      ids.push(
        ...(await Promise.all(
          bodies
            .slice(i, i + 25)
            .map((body, k) => submit(server.url, body, { key: `kill-${i + k}`, deadline, tally })),
        )),
      );
    }
    result.jobs = ids.length;
    const mediaIds = new Set(ids.filter((_, i) => isMedia(i)));

    // Check artifacts all along: of running media jobs (must be 404), of completed ones (must be whole).
    const checked = new Set<string>();
    const watcher = (async () => {
      while (watching) {
        try {
          const jobs = await listAll(server.url);
          for (const job of jobs.filter((j) => mediaIds.has(j.id))) {
            if (job.status === 'running')
              badArtifacts.push(...(await servedEarly(server.url, job, MEDIA_NAMES)));
            else if (job.status === 'completed' && !checked.has(job.id)) {
              badArtifacts.push(...(await brokenArtifacts(server.url, job)));
              checked.add(job.id);
            }
            artifactChecks += 1;
          }
        } catch {
          // The server is down between the kill and the restart.
        }
        await sleep(50);
      }
    })();

    // Kill while the slots are full and, if it comes within 20 s, a media job is rendering.
    const lookFrom = Date.now();
    let mediaAtKill = 0;
    const before = await until(
      'jobs to be running',
      async () => {
        const jobs = await listAll(server.url);
        const running = jobs.filter((j) => j.status === 'running');
        mediaAtKill = running.filter((j) => mediaIds.has(j.id)).length;
        const ready = running.length >= 40 && (mediaAtKill > 0 || Date.now() - lookFrom > 20_000);
        return ready ? jobs : null;
      },
      { deadline: Date.now() + 60_000, intervalMs: 20 },
    );
    await server.kill('SIGKILL');
    const killedAt = Date.now();
    const finishedBefore = new Set(before.filter((j) => TERMINAL.has(j.status)).map((j) => j.id));
    const inFlight = JOBS - finishedBefore.size;
    server = await server.restart();
    // Recovered: the restarted server finishes a job that was in flight at the kill.
    await until(
      'a job in flight at the kill to finish after the restart',
      async () =>
        (await listAll(server.url)).some((j: JobView) => !finishedBefore.has(j.id) && TERMINAL.has(j.status)),
      { deadline: Date.now() + 60_000, intervalMs: 20 },
    );
    result.recoverMs = Date.now() - killedAt;
    await allTerminal(server.url, ids, Date.now() + 180_000);
    watching = false;
    await watcher;

    const outcome = await checkOutcome(server.url, ids);
    for (const job of (await listAll(server.url)).filter(
      (j) => mediaIds.has(j.id) && j.status === 'completed',
    )) {
      badArtifacts.push(...(await brokenArtifacts(server.url, job)));
    }
    result.serverErrors = tally.unexpected5xx;
    expectEachEndedOnce(result, outcome);
    expect(
      result,
      (outcome.byStatus.completed ?? 0) === JOBS,
      `statuses ${JSON.stringify(outcome.byStatus)}`,
    );
    expect(
      result,
      badArtifacts.length === 0,
      `artifacts served broken: ${badArtifacts.slice(0, 3).join('; ')}`,
    );
    expect(result, tally.unexpected5xx === 0, `5xx: ${tally.samples.join('; ')}`);
    result.notes.push(
      `${inFlight} in flight at SIGKILL (${mediaAtKill} of ${media} text.to_video jobs rendering)`,
      `${artifactChecks} artifact checks, ${badArtifacts.length} bad`,
      'recover: SIGKILL to the first in-flight job finished by the restarted server',
    );
  } finally {
    watching = false;
    await server.close();
    if (backend === 'postgres' && ctx.pgUrl) await dropSchema(ctx.pgUrl, schema);
    removeDir(root);
  }
}

export const killSqlite: Scenario = {
  name: 'kill-sqlite',
  title: 'SIGKILL with 200 jobs in flight on SQLite; each ends exactly once after a restart',
  run: (ctx, result) => killWithJobsInFlight(ctx, result, 'sqlite'),
};

export const killPostgres: Scenario = {
  name: 'kill-postgres',
  title: 'SIGKILL with 200 jobs in flight on PostgreSQL; each ends exactly once after a restart',
  run: (ctx, result) => killWithJobsInFlight(ctx, result, 'postgres'),
};
