import { rmSync } from 'node:fs';
import { type RunningProcess, startServer } from '@longrun/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { call, eventually, tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';

useCleanup();

const running: RunningProcess[] = [];
afterEach(() => {
  for (const s of running.splice(0)) s.proc.kill('SIGKILL');
});

describe('crash recovery', () => {
  it('SIGKILL with 50 jobs running: after a restart on the same data dir all 50 end, none finished twice', async () => {
    const dataDir = tempDir();
    const args = [
      '--data-dir',
      dataDir,
      '--concurrency',
      '50',
      '--wait-concurrency',
      '50',
      '--simulate-error-rate',
      '0',
    ];
    const first = await startServer(args, { dataDir: false });
    running.push(first);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await call(first.url, 'POST', '/v1/jobs', {
        body: { type: 'simulate', input: { duration_seconds: 3 } },
      });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    await eventually(async () => {
      const list = await call(first.url, 'GET', '/v1/jobs?status=running&limit=200');
      return list.body.data.length === 50;
    });
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await startServer(args, { dataDir: false });
    running.push(second);
    const jobs = await eventually(async () => {
      const all = await Promise.all(
        ids.map(async (id) => (await call(second.url, 'GET', `/v1/jobs/${id}`)).body),
      );
      return all.every((j) => ['completed', 'failed', 'canceled'].includes(j.status)) ? all : null;
    }, 60_000);
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'completed'));
    for (const job of jobs) {
      const logs = (await call(second.url, 'GET', `/v1/jobs/${job.id}/logs?limit=1000`)).body.data.map(
        (l: { line: string }) => l.line,
      );
      // Exactly one terminal line per job: the work after the crash finished it once.
      expect(logs.filter((l: string) => /^attempt \d+ (completed|failed)/.test(l))).toHaveLength(1);
      expect(logs.filter((l: string) => /lost its worker; queued again/.test(l))).toHaveLength(1);
      expect(job.attempt).toBe(2);
    }
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('SIGTERM drains: stops taking work, puts unfinished jobs back, exits 0', async () => {
    const dataDir = tempDir();
    const server = await startServer(
      [
        '--data-dir',
        dataDir,
        '--concurrency',
        '2',
        '--wait-concurrency',
        '2',
        '--simulate-error-rate',
        '0',
        '--shutdown-grace',
        '500ms',
      ],
      { dataDir: false },
    );
    running.push(server);
    const short = await call(server.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 0.2 } },
    });
    const long = await call(server.url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 60 } },
    });
    await eventually(
      async () => (await call(server.url, 'GET', `/v1/jobs/${long.body.id}`)).body.status === 'running',
    );
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const again = await startServer(['--data-dir', dataDir, '--role', 'api'], { dataDir: false });
    running.push(again);
    expect((await call(again.url, 'GET', `/v1/jobs/${short.body.id}`)).body.status).toBe('completed');
    expect((await call(again.url, 'GET', `/v1/jobs/${long.body.id}`)).body).toMatchObject({
      status: 'queued',
      attempt: 0,
    });
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});
