import { removeDir, startServer, tempDir } from '@longrun/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { dropSchema, uniqueSchema } from '../src/postgres.js';
import { idOfRef, jobState, lateComplete, startWorker, type WorkerProcess } from '../src/remote-workers.js';

const TYPE = 'test.remote_kill';
const PG_URL = process.env.TEST_DATABASE_URL ?? '';
const PG_SKIP_REASON =
  'the PostgreSQL run of the remote-worker kill test is skipped: set TEST_DATABASE_URL=postgres://… to run it';
const stops: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function until<T>(what: string, check: () => Promise<T | null | false> | T | null | false): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not in 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * kill -9 of a remote worker process in the middle of its jobs: another worker
 * process runs them again once their leases run out, and the dead worker's
 * complete, replayed with its token, is refused; nothing is lost or completed twice.
 */
async function killMidJob(storeArgs: string[]): Promise<void> {
  const dataDir = tempDir('remote-kill-');
  stops.push(() => removeDir(dataDir));
  const server = await startServer(['--lease', '2s', '--maintenance-interval', '250ms', ...storeArgs], {
    dataDir,
  });
  stops.push(() => server.stop());
  const worker = (name: string, ms: number): Promise<WorkerProcess> =>
    startWorker({ server: server.url, type: TYPE, name, slots: 2, minMs: ms, maxMs: ms }).then((w) => {
      stops.push(() => w.kill());
      return w;
    });
  const doomed = await worker('doomed', 60_000);
  const ids: string[] = [];
  for (let n = 0; n < 2; n++) {
    const r = await fetch(`${server.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: TYPE, input: { n } }),
    });
    expect(r.status).toBe(202);
    ids.push(((await r.json()) as { id: string }).id);
  }
  const held = await until(
    'the doomed worker holding both jobs',
    () => doomed.holding().length === 2 && doomed.holding(),
  );
  await doomed.kill('SIGKILL');
  const next = await worker('next', 100);
  for (const id of ids) {
    await until(`job ${id} completed`, async () =>
      (await jobState(server.url, id)).includes('"status":"completed"'),
    );
    const job = (await (await fetch(`${server.url}/v1/jobs/${id}`)).json()) as {
      attempt: number;
      output: { worker: string; attempt: number };
    };
    expect(job.attempt).toBe(2);
    expect(job.output).toMatchObject({ worker: 'next', worker_id: next.id, attempt: 2 });
  }
  for (const claim of held) {
    const id = idOfRef(claim.ref);
    const before = await jobState(server.url, id);
    const late = await lateComplete(server.url, doomed.id, claim.ref, claim.token);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('lease_lost');
    expect(await jobState(server.url, id)).toBe(before);
  }
  // Each job completed once: one accepted complete, from the worker that took it over.
  const accepted = next.events.filter((e) => e.e === 'completed' && e.status === 200);
  expect(accepted.map((e) => idOfRef((e as { ref: string }).ref)).sort()).toEqual([...ids].sort());
}

describe('a remote worker killed mid-job', () => {
  it('loses nothing and completes nothing twice (SQLite)', () => killMidJob([]));

  // Without a PostgreSQL, skipped with the reason in its title and on stderr (never in CI, where it fails).
  const noPostgres = !PG_URL && process.env.CI !== 'true';
  if (noPostgres) process.stderr.write(`${PG_SKIP_REASON}\n`);
  it.skipIf(noPostgres)(
    `loses nothing and completes nothing twice (PostgreSQL)${noPostgres ? ` (${PG_SKIP_REASON})` : ''}`,
    async () => {
      if (!PG_URL)
        throw new Error('CI=true but TEST_DATABASE_URL is unset: CI must run the PostgreSQL tests');
      const schema = uniqueSchema('remote_kill');
      stops.push(() => dropSchema(PG_URL, schema));
      await killMidJob(['--database-url', PG_URL, '--database-schema', schema]);
    },
  );
});
