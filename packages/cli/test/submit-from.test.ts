import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterThisFile, useCleanup } from '../../server/test/helpers/cleanup.js';
import { cli, jsonLines } from './helpers/cli.js';

/** `longrun submit --from file.jsonl` on pipes, against a server process. */

useCleanup();

let server: LongrunServer;
let dir: string;

beforeAll(async () => {
  // No workers: the jobs stay queued, as submitted.
  server = await startServer(['--role', 'api', '--max-batch-jobs', '3']);
  afterThisFile(() => server.close());
  dir = tempDir('longrun-cli-batch-');
  afterThisFile(() => removeDir(dir));
}, 60_000);

const run = (args: string[], stdin?: string) =>
  cli(args, { url: server.url, ...(stdin === undefined ? {} : { stdin }) });
const api = async (path: string) => (await fetch(`${server.url}${path}`)).json() as Promise<any>;

const jsonl = (...lines: unknown[]) =>
  `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;

describe('longrun submit --from', () => {
  it('submits every line, in batches, and prints one id per line in order', async () => {
    const file = join(dir, 'ok.jsonl');
    const lines = Array.from({ length: 7 }, (_, i) => ({
      type: 'simulate',
      id: `from-file-${i}`,
      input: { duration_seconds: 0 },
      metadata: { line: i + 1 },
    }));
    writeFileSync(file, jsonl(...lines));
    // The server takes 3 per batch: --batch-size 3 sends three requests.
    const r = await run(['submit', '--from', file, '--batch-size', '3']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim().split('\n')).toEqual(lines.map((l) => l.id));
    const job = await api('/v1/jobs/from-file-6');
    expect(job).toMatchObject({ status: 'queued', metadata: { line: 7 } });
  });

  it('reads standard input with -, prints the error of each refused line, and exits 4', async () => {
    const input = jsonl(
      { type: 'simulate', id: 'stdin-1' },
      '',
      '{not json',
      { type: 'simulate', id: 'stdin-1' },
      [1, 2],
      { type: 'no.such.type' },
      { type: 'simulate', id: 'stdin-2', idempotency_key: 'cli-k' },
    );
    const r = await run(['submit', '--from', '-', '--batch-size', '3'], input);
    expect(r.code).toBe(4);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(6);
    expect(out[0]).toBe('stdin-1');
    expect(out[1]).toMatch(/^error: line 3: not valid JSON .*\[invalid_line\]$/);
    expect(out[2]).toBe('error: line 4: A job with id "stdin-1" already exists. [job_exists]');
    expect(out[3]).toMatch(/^error: line 5: not a JSON object/);
    expect(out[4]).toMatch(/^error: line 6: No job type "no.such.type".*\[unknown_job_type\]$/);
    expect(out[5]).toBe('stdin-2');
    expect(r.stderr).toBe('4 of 6 lines made no job\n');
    // The same line again, with its key: the job made before, not a second one.
    const again = await run(
      ['submit', '--from', '-', '--json'],
      jsonl({ type: 'simulate', idempotency_key: 'cli-k', id: 'stdin-2' }),
    );
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout)).toEqual([
      expect.objectContaining({
        n: 1,
        status: 200,
        id: 'stdin-2',
        job: expect.objectContaining({ status: 'queued' }),
      }),
    ]);
  });

  it('refuses what it cannot send: a missing file, an empty one, flags of a single job', async () => {
    const missing = await run(['submit', '--from', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^longrun: cannot read .*nope\.jsonl: ENOENT/);
    const empty = await run(['submit', '--from', '-'], '\n\n');
    expect(empty.code).toBe(4);
    expect(empty.stderr).toMatch(/standard input has no jobs/);
    const mixed = await run(['submit', 'simulate', '--from', '-'], jsonl({ type: 'simulate' }));
    expect(mixed.code).toBe(4);
    expect(mixed.stderr).toMatch(/--from takes every field from the file/);
    const tooMany = await run(
      ['submit', '--from', '-'],
      jsonl(...Array.from({ length: 4 }, () => ({ type: 'simulate' }))),
    );
    expect(tooMany.code).toBe(4);
    expect(tooMany.stderr).toMatch(/\[batch_too_large\]/);
  });
});

describe('longrun submit --from --wait', () => {
  let worker: LongrunServer;
  beforeAll(async () => {
    worker = await startServer(['--concurrency', '4', '--simulate-error-rate', '0']);
    afterThisFile(() => worker.close());
  }, 60_000);
  const runHere = (args: string[], stdin: string) => cli(args, { url: worker.url, stdin });

  it('prints each job as it ends, then the outcomes, and exits with the worst of them', async () => {
    const r = await runHere(
      ['submit', '--from', '-', '--wait'],
      jsonl(
        { type: 'simulate', id: 'w-slow', input: { duration_seconds: 1.2 } },
        { type: 'simulate', id: 'w-fast', input: { duration_seconds: 0 } },
        { type: 'simulate', id: 'w-bad', input: { duration_seconds: 0.2, error_rate: 1 } },
      ),
    );
    expect(r.code).toBe(1);
    const out = r.stdout.trim().split('\n');
    // The ids as submitted, in the file's order; then one line per job as it ended.
    expect(out.slice(0, 3)).toEqual(['w-slow', 'w-fast', 'w-bad']);
    expect(out.slice(3).sort()).toEqual(['w-bad failed', 'w-fast completed', 'w-slow completed']);
    expect(out.at(-1)).toBe('w-slow completed');
    expect(r.stderr).toBe('2 completed, 1 failed\n');

    const json = await runHere(
      ['submit', '--from', '-', '--wait', '--json'],
      jsonl(
        { type: 'simulate', input: { duration_seconds: 0 } },
        { type: 'simulate', input: { duration_seconds: 0 } },
      ),
    );
    expect(json.code).toBe(0);
    const printed = jsonLines(json.stdout);
    expect(printed.slice(0, 2).map((p) => p.status)).toEqual([202, 202]);
    expect(printed.slice(2).map((p) => p.status)).toEqual(['completed', 'completed']);
    expect(json.stderr).toBe('2 completed\n');
  });

  it('gives up at --timeout with exit 3, the jobs going on; --timeout needs --wait', async () => {
    const r = await runHere(
      ['submit', '--from', '-', '--wait', '--timeout', '0.5'],
      jsonl(
        { type: 'simulate', id: 'w-quick', input: { duration_seconds: 0 } },
        { type: 'simulate', id: 'w-long', input: { duration_seconds: 30 } },
      ),
    );
    expect(r.code).toBe(3);
    expect(r.stdout.trim().split('\n')).toEqual(['w-quick', 'w-long', 'w-quick completed']);
    expect(r.stderr).toBe('longrun: gave up waiting after 0.5s; 1 of 2 jobs go on\n');
    await fetch(`${worker.url}/v1/jobs/w-long/cancel`, { method: 'POST' });
    const alone = await runHere(['submit', '--from', '-', '--timeout', '5'], jsonl({ type: 'simulate' }));
    expect(alone.code).toBe(4);
    expect(alone.stderr).toMatch(/--timeout goes with --wait/);
  });
});
