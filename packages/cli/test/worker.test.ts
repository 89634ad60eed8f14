import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Longrun } from '@longrun/client';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, cli, startCli } from './helpers/cli.js';

/**
 * `longrun worker <module>` against a server process, serving the example
 * module examples/workers/checksum.mjs: a line per job on stderr, a signal
 * drains, a second one exits at once, a module without types is a usage error.
 */
const EXAMPLE = fileURLToPath(new URL('../../../examples/workers/checksum.mjs', import.meta.url));

let server: LongrunServer;
let client: Longrun;
const runs: CliRun[] = [];

beforeAll(async () => {
  server = await startServer(['--lease', '3s']);
  client = new Longrun({ baseUrl: server.url });
}, 60_000);
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  for (const run of runs.splice(0)) {
    run.proc.kill('SIGKILL');
    await run.exited;
  }
});

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await check()); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `longrun worker` on the example, once it has registered. */
async function startWorker(...args: string[]): Promise<CliRun> {
  const run = startCli(['worker', EXAMPLE, ...args], { url: server.url });
  runs.push(run);
  await until(() => run.stderr().includes('serving example.checksum'), 'the worker to register');
  return run;
}

describe('longrun worker', () => {
  it('serves the types of a module, a line per job on stderr, and drains on SIGTERM', async () => {
    const run = await startWorker('--concurrency', '2', '--name', 'cli-worker');
    expect(run.stderr()).toMatch(
      /^longrun worker: wrk_\S+ serving example\.checksum from http:\/\/\S+ \(concurrency 2\)$/m,
    );

    const job = await client.run('example.checksum', { text: 'hello', algorithms: ['sha256', 'md5'] });
    expect(job.output).toMatchObject({
      digests: {
        sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
        md5: '5d41402abc4b2a76b9719d911017c592',
      },
      bytes: 5,
    });
    const [artifact] = (job.output as { artifacts: { name: string }[] }).artifacts;
    expect(artifact).toMatchObject({ name: 'checksums.txt', content_type: 'text/plain' });
    await until(() => run.stderr().includes(`${job.id} example.checksum completed`), 'the end line');
    expect(run.stderr()).toContain(`${job.id} example.checksum started (attempt 1 of 3)`);

    // A slow job is running when SIGTERM comes: it finishes, then the command exits 0.
    const slow = await client.jobs.create({
      type: 'example.checksum',
      input: { text: 'x', algorithms: ['sha256', 'sha1'], pause_ms: 800 },
    });
    await until(() => run.stderr().includes(`${slow.id} example.checksum started`), 'the slow job to start');
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toMatch(/SIGTERM: stopping; 1 running job\(s\) may finish for 30s/);
    expect(run.stderr()).toContain(`${slow.id} example.checksum completed`);
    expect(run.stderr().trimEnd().endsWith('longrun worker: stopped')).toBe(true);
    expect((await client.jobs.get(slow.id)).status).toBe('completed');
    expect(run.stdout()).toBe('');
  });

  it('releases what is still running when --drain ends, and exits at once on a second signal', async () => {
    const drained = await startWorker('--drain', '0.2');
    const held = await client.jobs.create({
      type: 'example.checksum',
      input: { text: 'x', pause_ms: 10_000 },
    });
    await until(() => drained.stderr().includes(`${held.id} example.checksum started`), 'the job to start');
    drained.proc.kill('SIGINT');
    expect(await drained.exited).toBe(0);
    expect(drained.stderr()).toContain(`${held.id} example.checksum released`);
    expect((await client.jobs.get(held.id)).status).toBe('queued');

    const impatient = await startWorker();
    await until(
      () => impatient.stderr().includes(`${held.id} example.checksum started`),
      'the job to start again',
    );
    impatient.proc.kill('SIGTERM');
    await until(() => impatient.stderr().includes('SIGTERM: stopping'), 'the first signal');
    impatient.proc.kill('SIGTERM');
    expect(await impatient.exited).toBe(143);
    expect(impatient.stderr()).toContain('SIGTERM again; exiting now');
    await client.jobs.cancel(held.id);
  });

  it('is a usage error for a module that cannot be loaded or exports no types', async () => {
    const dir = tempDir('longrun-cli-worker-');
    try {
      const empty = join(dir, 'empty.mjs');
      writeFileSync(empty, 'export const notAType = { type: "a.b" };\n');
      const none = await cli(['worker', empty], { url: server.url });
      expect(none.code).toBe(4);
      expect(none.stderr).toMatch(/empty\.mjs exports no job types: export default defineType/);

      const missing = await cli(['worker', join(dir, 'missing.mjs')], { url: server.url });
      expect(missing.code).toBe(4);
      expect(missing.stderr).toMatch(/^longrun: cannot load .*missing\.mjs: /);
    } finally {
      removeDir(dir);
    }
  });
});
