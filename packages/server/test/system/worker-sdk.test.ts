import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '@longrun/testkit';
import { expect, it } from 'vitest';
import { call, eventually, readSse } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';

/**
 * `longrun worker` (the @longrun/worker SDK) on the example module, as a real
 * process against a server on PostgreSQL; packages/cli/test/worker.test.ts and
 * packages/worker/test/system run it on SQLite.
 */
const CLI = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../../examples/workers/checksum.mjs', import.meta.url));

useCleanup();

describePostgres('a @longrun/worker process on PostgreSQL', () => {
  it('completes a job submitted through the normal API, its progress seen over SSE', async () => {
    const schema = uniqueSchema('worker_sdk');
    afterThisTest(() => dropSchema(schema));
    const server = await startServer(['--database-url', PG_URL, '--database-schema', schema]);
    afterThisTest(() => server.close());
    const worker = spawn(process.execPath, [CLI, 'worker', EXAMPLE], {
      env: { ...process.env, LONGRUN_URL: server.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    worker.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    afterThisTest(async () => {
      worker.kill('SIGKILL');
      await exited;
    });
    await eventually(async () => err.includes('serving example.checksum'));

    const created = await call(server.url, 'POST', '/v1/jobs', {
      body: {
        type: 'example.checksum',
        input: { text: 'hello', algorithms: ['sha256', 'md5', 'sha1'], pause_ms: 400 },
      },
    });
    expect(created.status).toBe(202);
    const events = await readSse(`${server.url}/v1/jobs/${created.body.id}/events`, {
      until: (e) => /"status":"(completed|failed|canceled)"/.test(e.data),
    });
    const jobs = events.filter((e) => e.data).map((e) => JSON.parse(e.data));
    expect(jobs.some((j) => j.status === 'running' && j.progress > 0 && j.progress < 100)).toBe(true);
    expect(jobs.at(-1)).toMatchObject({ status: 'completed', output: { bytes: 5 } });

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
