import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, startServer, tempDir, waitBySse } from '@longrun/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { call, eventually, readSse } from '../helpers/app.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../helpers/postgres.js';

/**
 * examples/processors/wordcount.mjs, loaded by a real server process: listed,
 * validated at submit, run with its progress reaching SSE, its artifact
 * served, its cancel honoured. SQLite through `npm start`, as a user starts
 * it; PostgreSQL through the server's own entry.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const EXAMPLE = 'examples/processors/wordcount.mjs';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/**
 * `npm start -- <args>` in the repository, in a process group of its own: npm does not pass
 * SIGTERM on to the server it starts, so the group is signalled. Resolves with the server's URL.
 */
async function npmStart(args: string[]): Promise<string> {
  const npm =
    process.env.npm_execpath ??
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const child = spawn(process.execPath, [npm, 'start', '--', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  stops.push(async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // The group is gone already.
    }
    await exited;
  });
  let out = '';
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /longrun listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    exited.then((code) => reject(new Error(`npm start exited (${code}) before listening:\n${out}`)));
  });
}

/** A text of `lines` lines, in which "longrun" is said once a line and "jobs" every other line. */
function text(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `Line ${i}: longrun runs ${i % 2 ? 'jobs' : 'work'}.`).join(
    '\n',
  );
}

async function checkExample(url: string): Promise<void> {
  const types = (await call(url, 'GET', '/v1/types')).body.data;
  const wordcount = types.find((t: { type: string }) => t.type === 'text.wordcount');
  expect(wordcount).toMatchObject({ queue: 'text', work: 'cpu', available: true });
  expect(wordcount.input_schema).toMatchObject({ required: ['text'], additionalProperties: false });
  expect(types.map((t: { type: string }) => t.type)).toContain('simulate');
  const queues = (await call(url, 'GET', '/v1/queues')).body.data;
  expect(queues.find((q: { name: string }) => q.name === 'text')).toMatchObject({
    kind: 'cpu',
    types: ['text.wordcount'],
  });

  for (const [input, message] of [
    [{ text: 5 }, 'input.text must be a string'],
    [{}, 'input.text is required'],
    [{ text: 'hi', top: 0 }, 'input.top must be >= 1'],
    [{ text: 'hi', colour: 'red' }, 'input.colour is not a known field'],
  ] as const) {
    const refused = await call(url, 'POST', '/v1/jobs', { body: { type: 'text.wordcount', input } });
    expect(refused.status, JSON.stringify(input)).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'invalid_input', message });
  }

  // 200 lines in 20 steps, 40 ms apart: long enough for progress to be written and sent.
  const { status, body: job } = await call(url, 'POST', '/v1/jobs', {
    body: { type: 'text.wordcount', input: { text: text(200), top: 3, pause_ms: 40 } },
  });
  expect(status).toBe(202);
  const events = (await readSse(`${url}/v1/jobs/${job.id}/events`)).filter((e) => e.data);
  const seen = events.map((e) => JSON.parse(e.data));
  const done = seen.at(-1);
  expect(done).toMatchObject({ status: 'completed', progress: 100, stage: 'done', message: '1000 words' });
  const midway = seen.filter((j) => j.status === 'running' && j.progress > 0 && j.progress < 100);
  expect(midway.length).toBeGreaterThan(0);
  expect(midway.some((j) => j.stage === 'counting' && /^\d+ of 200 lines$/.test(j.message))).toBe(true);
  const progress = seen.map((j) => j.progress);
  expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  expect(done.output).toMatchObject({
    words: 1000,
    unique_words: 205,
    lines: 200,
    top: [
      { word: 'line', count: 200 },
      { word: 'longrun', count: 200 },
      { word: 'runs', count: 200 },
    ],
  });
  expect(done.logs).toContain('counted 1000 words, 205 different');
  const [csv] = done.output.artifacts;
  expect(csv).toMatchObject({ name: 'counts.csv', content_type: 'text/csv' });
  const file = await fetch(url + csv.url);
  expect(file.status).toBe(200);
  const rows = (await file.text()).trimEnd().split('\n');
  expect(rows.length).toBe(206);
  expect(rows.slice(0, 2)).toEqual(['word,count', 'line,200']);
  expect(rows).toContain('jobs,100');
  expect(rows).toContain('work,100');
  expect(csv.size).toBe(Buffer.byteLength(`${rows.join('\n')}\n`));

  // Cancel stops it between steps: a second's pause ends at once, and no artifact is left.
  const { body: slow } = await call(url, 'POST', '/v1/jobs', {
    body: { type: 'text.wordcount', input: { text: text(40), pause_ms: 1000 } },
  });
  await eventually(
    async () => (await call(url, 'GET', `/v1/jobs/${slow.id}?wait=5`)).body.status === 'running',
  );
  expect((await call(url, 'POST', `/v1/jobs/${slow.id}/cancel`)).status).toBe(200);
  const canceled = await waitBySse(url, slow.id, { deadline: Date.now() + 15_000 });
  expect(canceled.terminal).toMatchObject({ status: 'canceled', output: null });
  expect((await call(url, 'GET', `/v1/jobs/${slow.id}/artifacts/counts.csv`)).status).toBe(404);
  // The slot is free again: another job of the queue runs to its end.
  const { body: next } = await call(url, 'POST', '/v1/jobs', {
    body: { type: 'text.wordcount', input: { text: 'one two two' } },
  });
  expect((await waitBySse(url, next.id, { deadline: Date.now() + 15_000 })).terminal).toMatchObject({
    status: 'completed',
    output: {
      words: 3,
      top: [
        { word: 'two', count: 2 },
        { word: 'one', count: 1 },
      ],
    },
  });
}

describe('the example processor module', () => {
  it('runs under `npm start -- --processors …` on SQLite', async () => {
    const data = tempDir('longrun-example-');
    stops.push(async () => removeDir(data));
    const url = await npmStart([
      '--port',
      '0',
      '--log-level',
      'warn',
      '--data-dir',
      data,
      '--processors',
      EXAMPLE,
    ]);
    await checkExample(url);
  });
});

describePostgres('the example processor module on PostgreSQL', () => {
  it('runs under longrun-server --processors, from LONGRUN_PROCESSORS', async () => {
    const schema = uniqueSchema('procmods');
    stops.push(() => dropSchema(schema));
    const server = await startServer(['--database-url', PG_URL, '--database-schema', schema], {
      env: { LONGRUN_PROCESSORS: join(ROOT, EXAMPLE) },
    });
    stops.push(server.close);
    await checkExample(server.url);
  });
});
