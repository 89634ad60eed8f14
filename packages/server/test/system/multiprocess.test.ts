import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningProcess, type SseWaited, startServer, waitBySse } from '@longrun/testkit';
import { afterEach, expect, it } from 'vitest';
import { sleep } from '../../src/internal/sleep.js';
import { call, eventually, tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import {
  adminQuery,
  describePostgres,
  dropSchema,
  PG_URL,
  terminateBackends,
  uniqueSchema,
} from '../helpers/postgres.js';

useCleanup();

const JOBS = 500;
const running: RunningProcess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill('SIGKILL');
    await s.exited;
  }
});

/** POST with an Idempotency-Key, retried on 5xx and connection errors: never two jobs. */
async function submit(base: string, key: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const r = await call(base, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 0.3, error_rate: 0 } },
        headers: { 'idempotency-key': key },
      });
      if (r.status === 202 || r.status === 200) return r.body.id as string;
      if (r.status < 500) throw new Error(`submit ${key}: ${r.status} ${JSON.stringify(r.body)}`);
      failure = `status ${r.status}`;
    } catch (err) {
      if ((err as Error).message.startsWith('submit ')) throw err;
      failure = (err as Error).message;
    }
    if (attempt >= 30) throw new Error(`submit ${key} kept failing: ${failure}`);
    await sleep(200);
  }
}

/** The jobs a worker node holds under a lease, from the database itself. */
async function heldBy(schema: string, node: string): Promise<string[]> {
  const rows = await adminQuery<{ id: string }>(
    `SELECT id FROM ${schema}.jobs WHERE status = 'running' AND lease_owner LIKE $1 ORDER BY id`,
    [`${node}:%`],
  );
  return rows.map((r) => r.id);
}

describePostgres('many processes on one PostgreSQL database', () => {
  it(`${JOBS} jobs through api A, waited on by SSE through api B; a worker SIGKILLed, every connection cut; each job completes exactly once`, async () => {
    const schema = uniqueSchema('mp');
    const root = tempDir('longrun-mp-');
    const common = [
      ...['--database-url', PG_URL, '--database-schema', schema, '--database-pool-size', '4'],
      ...['--feed-probe-interval', '1s', '--lease', '3s', '--maintenance-interval', '500ms'],
      ...['--simulate-error-rate', '0', '--max-attempts', '5', '--artifacts-dir', join(root, 'artifacts')],
    ];
    // Distinct node names: as on separate machines, a dead worker's jobs come back only when its lease expires.
    const node = (name: string, role: string, extra: string[] = []) =>
      startServer(
        [...common, '--role', role, '--node-name', name, '--data-dir', join(root, name), ...extra],
        { dataDir: false },
      );
    try {
      // All four start at once, so they also race to migrate the new schema.
      const [apiA, apiB, w1, w2] = await Promise.all([
        node('api-a', 'api'),
        node('api-b', 'api'),
        node('w1', 'worker', ['--concurrency', '10', '--wait-concurrency', '10']),
        node('w2', 'worker', ['--concurrency', '10', '--wait-concurrency', '10']),
      ]);
      running.push(apiA, apiB, w1, w2);
      const started = Date.now();
      const deadline = started + 150_000;

      const waits: Promise<SseWaited>[] = [];
      let done = 0;
      const doneAt: number[] = [];
      for (let i = 0; i < JOBS; i += 25) {
        const ids = await Promise.all(
          Array.from({ length: Math.min(25, JOBS - i) }, (_, k) => submit(apiA.url, `mp-${i + k}`)),
        );
        for (const id of ids) {
          waits.push(
            waitBySse(apiB.url, id, { deadline }).then((w) => {
              done += 1;
              doneAt.push(w.at);
              return w;
            }),
          );
        }
      }
      const submittedAt = Date.now();

      // SIGKILL a worker while it holds jobs.
      // Several held at once, by the database: one 0.3-s job alone can end between the look and the kill.
      await eventually(async () => done >= 60 && (await heldBy(schema, 'w1')).length >= 4, 60_000);
      w1.proc.kill('SIGKILL');
      const killedAt = Date.now();
      expect(await w1.exited).toBe('SIGKILL');
      // What it held when it died, as the database has it (nothing of w1's can change now).
      const held = await heldBy(schema, 'w1');

      // Cut every database connection of the deployment (pools and LISTEN connections alike).
      await eventually(async () => done >= 250, 90_000);
      const cutAt = Date.now();
      const cut = await terminateBackends(`longrun/${schema}`);
      const doneBeforeCut = done;

      const results = await Promise.all(waits);
      const finishedAt = Date.now();
      const firstAfterCut = Math.min(...doneAt.filter((t) => t > cutAt));

      // Every waiter got exactly one terminal event, and it says completed.
      expect(results).toHaveLength(JOBS);
      expect(new Set(results.map((r) => r.id)).size).toBe(JOBS);
      expect(results.filter((r) => r.terminal.status !== 'completed')).toEqual([]);
      expect(results.filter((r) => r.terminalEvents !== 1)).toEqual([]);

      // The store agrees: one job per key, each completed once, by its log.
      const list: { id: string }[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await call(
          apiA.url,
          'GET',
          `/v1/jobs?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        );
        list.push(...page.body.data);
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(list).toHaveLength(JOBS);
      let duplicated = 0;
      const orphaned: { id: string; lostAt: number; doneAt: number }[] = [];
      for (const { id } of list) {
        const logs: { line: string; timestamp: string }[] = (
          await call(apiA.url, 'GET', `/v1/jobs/${id}/logs?limit=1000`)
        ).body.data;
        const completions = logs.filter((l) => /^attempt \d+ completed$/.test(l.line));
        if (completions.length !== 1) duplicated += 1;
        const lost = logs.find((l) => /lost its worker; queued again/.test(l.line));
        if (lost) {
          orphaned.push({
            id,
            lostAt: Date.parse(lost.timestamp),
            doneAt: Date.parse(completions.at(-1)!.timestamp),
          });
        }
      }
      expect(duplicated).toBe(0);
      // The killed worker held jobs; each came back after its lease expired and was finished by the other.
      expect(held.length).toBeGreaterThan(0);
      const orphanIds = new Set(orphaned.map((o) => o.id));
      expect(held.filter((id) => !orphanIds.has(id))).toEqual([]);
      for (const o of orphaned) expect(o.doneAt).toBeGreaterThan(killedAt);
      expect(cut).toBeGreaterThan(0);
      // Everyone is back on its feet.
      for (const s of [apiA, apiB, w2]) {
        expect((await call(s.url, 'GET', '/readyz')).body).toMatchObject({ store: 'ok', feed: 'listening' });
      }

      const requeuedAfter = Math.max(...orphaned.map((o) => o.lostAt)) - killedAt;
      const orphansDoneAfter = Math.max(...orphaned.map((o) => o.doneAt)) - killedAt;
      console.log(
        [
          `multi-process: ${JOBS} jobs, ${results.filter((r) => r.terminal.status === 'completed').length} completed, ` +
            `lost 0, duplicated ${duplicated}`,
          `  submitted in ${submittedAt - started} ms; all terminal in ${finishedAt - started} ms`,
          `  SIGKILL of w1 holding ${held.length} jobs: ${orphaned.length} jobs requeued after losing their ` +
            `worker, the last ${requeuedAfter} ms after the kill (lease 3 s); all finished by w2, the last ` +
            `${orphansDoneAfter} ms after the kill`,
          `  ${cut} connections cut with ${JOBS - doneBeforeCut} jobs outstanding; the next terminal event reached ` +
            `a waiter ${firstAfterCut - cutAt} ms later; SSE reconnects by waiters: ` +
            `${results.reduce((n, r) => n + r.reconnects, 0)}`,
        ].join('\n'),
      );
    } catch (err) {
      for (const s of running) process.stderr.write(`--- server output ---\n${s.output().slice(-4000)}\n`);
      throw err;
    } finally {
      for (const s of running.splice(0)) {
        s.proc.kill('SIGTERM');
        await s.exited;
      }
      await dropSchema(schema);
      rmSync(root, { recursive: true, force: true });
    }
  }, 240_000);
});
