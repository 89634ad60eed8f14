import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonLines, startCli, videoJob } from './helpers/cli.js';

/**
 * The `longrun` command as a script sees it: output on pipes, never a
 * terminal. Exit codes tell the job's outcome; --json prints one job per line.
 */
describe('longrun on pipes, against a server process', () => {
  let server: LongrunServer;
  let url: string;
  const run = (...args: string[]) => cli(args, { url });

  beforeAll(async () => {
    server = await startServer([
      '--simulate-error-rate',
      '0',
      '--concurrency',
      '4',
      '--wait-concurrency',
      '4',
    ]);
    url = server.url;
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Resolves once the running command has printed a line that matches. */
  async function printed(r: ReturnType<typeof startCli>, pattern: RegExp): Promise<void> {
    while (!pattern.test(r.stdout())) {
      if (r.proc.exitCode !== null) throw new Error(`the command ended first:\n${r.stdout()}${r.stderr()}`);
      await new Promise((resolve) => r.proc.stdout!.once('data', resolve));
    }
  }

  it('exits 0 when the job completes, with one JSON job per change, versions rising to the last', async () => {
    const r = await run('submit', 'simulate', 'duration_seconds=3', '--wait', '--json');
    expect(r.code).toBe(0);
    const jobs = jsonLines(r.stdout);
    expect(jobs.length).toBeGreaterThan(2);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(1);
    for (let i = 1; i < jobs.length; i++) {
      expect(jobs[i].version).toBeGreaterThan(jobs[i - 1].version);
      expect(jobs[i].progress).toBeGreaterThanOrEqual(jobs[i - 1].progress);
    }
    expect(jobs.at(-1)).toMatchObject({ status: 'completed', progress: 100 });
    expect(jobs.slice(0, -1).every((j) => j.status !== 'completed')).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('exits 1 when the job fails, and says why on one line', async () => {
    const r = await run(
      'submit',
      'simulate',
      '--input',
      '{"duration_seconds": 0.2, "error_rate": 1}',
      '--max-attempts',
      '1',
      '--wait',
    );
    expect(r.code).toBe(1);
    const last = r.stdout.trim().split('\n').at(-1);
    expect(last).toMatch(/ failed after \d+s: simulated_error: /);
  });

  it('exits 2 when the job is canceled while waited for', async () => {
    const id = (await run('submit', 'simulate', 'duration_seconds=60')).stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const waiting = startCli(['wait', id, '--json'], { url });
    await printed(waiting, /"status":"running"/);
    const canceled = await run('cancel', id);
    expect(canceled).toMatchObject({ code: 0, stdout: `${id} canceled\n` });
    expect(await waiting.exited).toBe(2);
    expect(jsonLines(waiting.stdout()).at(-1)).toMatchObject({ id, status: 'canceled' });
  });

  it('exits 3 when --timeout passes first, and the job goes on', async () => {
    const id = (await run('submit', 'simulate', 'duration_seconds=60')).stdout.trim();
    const r = await run('wait', id, '--timeout', '0.5');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^longrun: gave up waiting after 0.5s; ${id} goes on`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const status = jsonLines((await run('status', id, '--json')).stdout)[0];
    expect(['queued', 'running']).toContain(status.status);
    expect((await run('cancel', id)).code).toBe(0);
  });

  it('prints plain progress lines, not a bar, when the output is not a terminal', async () => {
    const id = (await run('submit', 'simulate', 'duration_seconds=4')).stdout.trim();
    const r = await run('wait', id);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^${id} completed in \\d+s$`));
    expect(lines.some((l) => /^running · \d+% · /.test(l))).toBe(true);
    expect(r.stdout).not.toMatch(/[\u2580-\u259f]/);
    expect(r.stdout).not.toContain(`${String.fromCharCode(27)}[`);
  });

  it('exits 4 on a usage error or an unreachable server, with one line and no stack unless --verbose', async () => {
    const missing = await run('submit');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/missing required argument 'type'/);
    const badInput = await run('submit', 'simulate', '--input', '{nope');
    expect(badInput.code).toBe(4);
    expect(badInput.stderr).toMatch(/^longrun: --input is not valid JSON/);
    const invalid = await run('submit', 'simulate', 'duration_seconds=-1');
    expect(invalid.code).toBe(4);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);

    // A port that was just free: nothing listens there.
    const closed = await startServer([]);
    const closedUrl = closed.url;
    await closed.close();
    const down = await cli(['status', 'some-job'], { url: closedUrl });
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/^longrun: cannot reach the server: .*ECONNREFUSED/);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    const verbose = await cli(['status', 'some-job', '--verbose'], { url: closedUrl });
    expect(verbose.code).toBe(4);
    expect(verbose.stderr).toMatch(/\n\s+at /);

    const unknown = await run('status', 'no-such-job');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/^longrun: 404 .*\[job_not_found\]\n$/);
  });

  it('documents the exit codes in --help', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const code of [
      '0  completed',
      '1  the job failed',
      '2  the job was canceled',
      '3  --timeout',
      '4  usage',
    ])
      expect(help.stdout).toContain(code);
  });

  it('lists, shows, follows the log of, and deletes jobs', async () => {
    const id = (await run('submit', 'simulate', 'duration_seconds=1', '--id', 'cli-list-1')).stdout.trim();
    expect(id).toBe('cli-list-1');
    const follow = await run('logs', id, '--follow');
    expect(follow.code).toBe(0);
    expect(follow.stdout).toMatch(/attempt 1 of 3 started\n(.*\n)*.*attempt 1 completed\n$/);

    const table = await run('list', '--status', 'completed', '--limit', '50');
    expect(table.code).toBe(0);
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^id\s+type\s+status\s+progress\s+stage\s+message\s+age$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^cli-list-1\s+simulate\s+completed\s+100%\s+finalizing\s+/),
    );
    expect(rows.slice(1).every((r) => /^\S+\s+\S+\s+completed\s+100%/.test(r))).toBe(true);
    const listed = jsonLines((await run('list', '--limit', '1', '--json')).stdout);
    expect(listed).toHaveLength(1);

    const status = await run('status', id);
    expect(status.stdout).toMatch(
      /^id\s+cli-list-1\nstatus\s+completed\n|^id\s+cli-list-1\ntype\s+simulate\nstatus\s+completed\n/,
    );
    expect((await run('delete', id)).stdout).toBe(`${id} deleted\n`);
    expect((await run('status', id)).code).toBe(4);
  });

  it('reads the input from a file, with key=value words on top', async () => {
    const dir = tempDir('longrun-cli-input-');
    try {
      const file = join(dir, 'input.json');
      writeFileSync(file, JSON.stringify({ duration_seconds: 30, error_rate: 0, seed: 7 }));
      const r = await run('submit', 'simulate', '--input', `@${file}`, 'duration_seconds=0.1', '--json');
      expect(r.code).toBe(0);
      const job = jsonLines(r.stdout)[0];
      expect(job.input).toEqual({ duration_seconds: 0.1, error_rate: 0, seed: 7 });
      const missing = await run('submit', 'simulate', '--input', `@${join(dir, 'nope.json')}`);
      expect(missing.code).toBe(4);
      expect(missing.stderr).toMatch(/^longrun: cannot read .*nope\.json: ENOENT/);
    } finally {
      removeDir(dir);
    }
  });

  it('downloads an artifact to a file', async () => {
    const job = await videoJob(url, 'download test');
    if (!job) return;
    const dir = tempDir('longrun-cli-download-');
    try {
      const target = join(dir, 'out.mp4');
      const saved = await run('download', job.id, 'video.mp4', '-o', target);
      expect(saved.code).toBe(0);
      expect(saved.stderr).toMatch(/^saved video\.mp4 \(.+\) to .*out\.mp4\n$/);
      const artifact = job.output.artifacts.find((a: { name: string }) => a.name === 'video.mp4');
      expect(readFileSync(target).length).toBe(artifact.size);
      expect(existsSync(`${target}.partial`)).toBe(false);
      const ambiguous = await run('download', job.id, '-o', target);
      expect(ambiguous.code).toBe(4);
      expect(ambiguous.stderr).toMatch(/has 2 artifacts \(.*video\.mp4.*\): name the one to download/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('longrun against a server with API keys', () => {
  let server: LongrunServer;
  beforeAll(async () => {
    server = await startServer(['--role', 'api', '--api-keys', 'cli-key-1234:team']);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('says how to give a key when none is given, and uses --api-key or LONGRUN_API_KEY', async () => {
    const refused = await cli(['list'], { url: server.url });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^longrun: 401 .*--api-key or LONGRUN_API_KEY\)\n$/);
    const made = await cli(['submit', 'simulate', '--id', 'keyed', '--api-key', 'cli-key-1234'], {
      url: server.url,
    });
    expect(made).toMatchObject({ code: 0, stdout: 'keyed\n' });
    const listed = await cli(['list', '--json'], {
      url: server.url,
      env: { LONGRUN_API_KEY: 'cli-key-1234' },
    });
    expect(listed.code).toBe(0);
    expect(jsonLines(listed.stdout).map((j) => j.id)).toEqual(['keyed']);
  });
});
