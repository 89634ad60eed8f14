import { type LongrunServer, startServer } from '@longrun/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterThisFile, afterThisTest, useCleanup } from '../../server/test/helpers/cleanup.js';
import { cli, jsonLines } from './helpers/cli.js';

/** `longrun queues` and `submit --queue/--priority/--run-at/--run-in` on pipes, against server processes. */

useCleanup();

const OPERATOR_KEY = 'cli-operator-key';
const TENANT_KEY = 'cli-tenant-key';

let open: LongrunServer;
/** The queue simulate jobs run in by default. */
let simulate: string;

beforeAll(async () => {
  open = await startServer(['--simulate-error-rate', '0']);
  afterThisFile(() => open.close());
  const queues = (await api('/v1/queues')).data as { name: string; types: string[] }[];
  simulate = queues.find((q) => q.types.includes('simulate'))!.name;
}, 60_000);

async function api(path: string, init: RequestInit = {}): Promise<any> {
  return (await fetch(`${open.url}${path}`, init)).json();
}

const run = (...args: string[]) => cli(args, { url: open.url });

/** The table's rows as cells, split on the two-space gaps between columns. */
const cells = (table: string) =>
  table
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/ {2,}/));

describe('longrun queues', () => {
  it('prints a table of every queue, the same with or without "list"', async () => {
    const listed = (await api('/v1/queues')).data as any[];
    const r = await run('queues');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const [head, ...rows] = cells(r.stdout);
    expect(head).toEqual([
      'name',
      'kind',
      'paused',
      'queued',
      'scheduled',
      'running',
      'concurrency',
      'global limit',
      'oldest age',
      'finished/min',
    ]);
    expect(rows.map((row) => row[0])).toEqual(listed.map((q) => q.name));
    for (const [i, q] of listed.entries()) {
      expect(rows[i]!.slice(0, 3)).toEqual([q.name, q.kind, q.paused ? 'yes' : 'no']);
      expect(rows[i]![6]).toBe(String(q.concurrency));
      expect(rows[i]![7]).toBe(q.global_limit === null ? '-' : String(q.global_limit));
    }
    const again = await run('queues', 'list');
    expect(cells(again.stdout).map((row) => row[0])).toEqual(cells(r.stdout).map((row) => row[0]));
  });

  it('prints one JSON queue per line with --json', async () => {
    const listed = (await api('/v1/queues')).data as any[];
    for (const args of [
      ['queues', '--json'],
      ['queues', 'list', '--json'],
    ]) {
      const r = await run(...args);
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout).map((q) => q.name)).toEqual(listed.map((q) => q.name));
    }
  });

  it('pauses and resumes a queue, printing its new state, and the server agrees', async () => {
    afterThisTest(() => api(`/v1/queues/${simulate}/resume`, { method: 'POST' }));
    const paused = await run('queues', 'pause', simulate);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(
      new RegExp(`^${simulate} paused: \\d+ running, \\d+ queued, \\d+ scheduled\\n$`),
    );
    expect(await api(`/v1/queues/${simulate}`)).toMatchObject({ paused: true });
    const row = cells((await run('queues')).stdout).find((cols) => cols[0] === simulate);
    expect(row?.[2]).toBe('yes');

    // A job submitted meanwhile waits in the paused queue, and runs once it is resumed.
    const id = (await run('submit', 'simulate', 'duration_seconds=0.2')).stdout.trim();
    expect(await api(`/v1/jobs/${id}`)).toMatchObject({ status: 'queued', queue: simulate });

    const resumed = await run('queues', 'resume', simulate, '--json');
    expect(resumed.code).toBe(0);
    expect(jsonLines(resumed.stdout)).toEqual([expect.objectContaining({ name: simulate, paused: false })]);
    expect(await api(`/v1/queues/${simulate}`)).toMatchObject({ paused: false });
    expect((await run('wait', id, '--timeout', '30')).code).toBe(0);
  });

  it("exits 4 with the server's code for an unknown queue, and with a usage error for no name", async () => {
    const r = await run('queues', 'pause', 'no-such-queue');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^longrun: 404 .*\[queue_not_found\]\n$/);
    const usage = await run('queues', 'resume');
    expect(usage.code).toBe(4);
    expect(usage.stderr).toMatch(/missing required argument 'name'/);
  });

  it("exits 4 when a tenant's key pauses a queue; an operator's key may", async () => {
    const keyed = await startServer([
      '--api-keys',
      `${TENANT_KEY}:team`,
      '--operator-keys',
      `${OPERATOR_KEY}:ops`,
    ]);
    afterThisTest(() => keyed.close());
    const as = (key: string, ...args: string[]) =>
      cli(args, { url: keyed.url, env: { LONGRUN_API_KEY: key } });
    const name = jsonLines((await as(OPERATOR_KEY, 'queues', '--json')).stdout)[0].name as string;
    afterThisTest(() => as(OPERATOR_KEY, 'queues', 'resume', name));
    const denied = await as(TENANT_KEY, 'queues', 'pause', name);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/^longrun: 403 .*\[forbidden\] \(this key may not do that\)\n$/);
    const allowed = await as(OPERATOR_KEY, 'queues', 'pause', name);
    expect(allowed).toMatchObject({ code: 0, stderr: '' });
    expect(allowed.stdout).toMatch(new RegExp(`^${name} paused`));
    // A tenant sees its own counts, and is told so off stdout.
    const tenantView = await as(TENANT_KEY, 'queues');
    expect(tenantView.code).toBe(0);
    expect(tenantView.stderr).toMatch(/your own tenant's jobs/);
  });
});

describe('longrun submit with queue options', () => {
  it('sends --queue, --priority and --run-at; the job waits as scheduled', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const r = await run(
      'submit',
      'simulate',
      '--queue',
      simulate,
      '--priority',
      '-5',
      '--run-at',
      at,
      '--json',
    );
    expect(r.code).toBe(0);
    const [job] = jsonLines(r.stdout);
    expect(job).toMatchObject({ status: 'queued', queue: simulate, priority: -5 });
    expect(Date.parse(job.run_at)).toBe(Date.parse(at));
    await run('cancel', job.id);
  });

  it('sends --run-in as run_in_seconds', async () => {
    const before = Date.now();
    const r = await run('submit', 'simulate', '--run-in', '600', '--json');
    expect(r.code).toBe(0);
    const [job] = jsonLines(r.stdout);
    expect(Date.parse(job.run_at)).toBeGreaterThanOrEqual(before + 600_000 - 1000);
    await run('cancel', job.id);
  });

  it("exits 4 with the server's code for a bad queue, priority or time", async () => {
    for (const [args, code] of [
      [['--queue', 'no-such-queue'], 'unknown_queue'],
      [['--priority', '500'], 'invalid_priority'],
      [['--run-at', 'tomorrow'], 'invalid_run_at'],
    ] as const) {
      const r = await run('submit', 'simulate', ...args);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(new RegExp(`\\[${code}\\]`));
    }
    const usage = await run('submit', 'simulate', '--priority', 'high');
    expect(usage.code).toBe(4);
    expect(usage.stderr).toMatch(/expected a whole number/);
  });
});
