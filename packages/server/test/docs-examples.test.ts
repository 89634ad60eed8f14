import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { useCleanup } from './helpers/cleanup.js';

useCleanup();

const run = promisify(execFile);
const ROOT = new URL('../../../', import.meta.url);
const servers: LongrunServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** The shell commands of a section's console blocks, `\`-continued lines joined, prompts dropped. */
function commands(file: string, heading: string): string[] {
  const text = readFileSync(new URL(file, ROOT), 'utf8');
  const start = text.indexOf(heading);
  if (start === -1) throw new Error(`${file} has no section ${heading}`);
  const level = /^#+/.exec(heading)![0];
  const next = text.slice(start + heading.length).search(new RegExp(`\\n${level} `));
  const section = text.slice(start, next === -1 ? undefined : start + heading.length + next);
  const out: string[] = [];
  for (const block of section.matchAll(/```console\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const command = line
        .replace(/^\$ /, '')
        .replace(/\s+#.*$/, '')
        .trim();
      if (/^(curl|longrun serve) /.test(command)) out.push(command);
    }
  }
  return out;
}

/**
 * Each curl line of the queue sections, pasted as written against a server
 * started with the section's own `longrun serve` flags: it must succeed
 * (curl --fail-with-body), host and port aside. Lines for a remote host with
 * a placeholder key are left out.
 */
describe('the queue examples of the docs', () => {
  it.each([
    ['docs/api.md', '## Queues'],
    ['docs/api.md', '## Create a job'],
    ['docs/api.md', '## Batches'],
    ['docs/operations.md', '## Queues'],
    ['README.md', '## Queues, priorities, schedules'],
  ])('%s %s work when pasted', async (file, heading) => {
    const lines = commands(file, heading);
    const serve = lines.find((l) => l.startsWith('longrun serve '));
    const flags = serve ? (serve.slice('longrun serve '.length).match(/'[^']*'|\S+/g) ?? []) : [];
    const server = await startServer(
      flags.map((f) => f.replace(/^'|'$/g, '')),
      {},
    );
    servers.push(server);
    const curls = lines.filter((l) => l.startsWith('curl ') && !l.includes('<'));
    expect(curls.length).toBeGreaterThan(0);
    for (const line of curls) {
      const command = line
        .replace(/https?:\/\/(127\.0\.0\.1|localhost):8000/g, server.url)
        .replace(/(^|\s)localhost:8000/g, `$1${server.url}`)
        .replace(/^curl /, 'curl --fail-with-body --max-time 20 ');
      const { stdout } = await run('bash', ['-c', command]).catch(
        (err: { stdout?: string; stderr?: string }) => {
          throw new Error(`${line}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
        },
      );
      expect(stdout.length, line).toBeGreaterThan(0);
    }
  });
});

/**
 * The Files section's console lines, pasted as written into one shell (its
 * lines carry the file id in $FILE), in a folder holding the photo.png and
 * notes.txt they upload: each must succeed (curl --fail-with-body).
 */
describe('the files examples of the docs', () => {
  it('docs/api.md ## Files work when pasted, in order', async () => {
    const text = readFileSync(new URL('docs/api.md', ROOT), 'utf8');
    const start = text.indexOf('## Files');
    const section = text.slice(start, text.indexOf('\n## ', start + 1));
    const lines = [...section.matchAll(/```console\n([\s\S]*?)```/g)]
      .flatMap((block) => block[1]!.replace(/\\\n\s*/g, '').split('\n'))
      .map((line) => line.replace(/^\$ /, '').trim())
      .filter((line) => line !== '');
    expect(lines.filter((l) => l.includes('curl ')).length).toBeGreaterThan(5);
    const server = await startServer([]);
    servers.push(server);
    const dir = mkdtempSync(join(tmpdir(), 'longrun-docs-files-'));
    try {
      writeFileSync(
        join(dir, 'photo.png'),
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 4]),
      );
      writeFileSync(join(dir, 'notes.txt'), 'Hello world.\n');
      const script = [
        'set -euo pipefail',
        ...lines.map((line) =>
          line
            .replace(/https?:\/\/127\.0\.0\.1:8000/g, server.url)
            .replace(/(^|[\s(])curl /g, '$1curl --fail-with-body --max-time 20 '),
        ),
      ].join('\n');
      await run('bash', ['-c', script], { cwd: dir }).catch((err: { stdout?: string; stderr?: string }) => {
        throw new Error(`${script}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      });
      expect(readFileSync(join(dir, 'head.bin'))).toEqual(
        readFileSync(join(dir, 'photo.png')).subarray(0, 8),
      );
      const listed = await (await fetch(`${server.url}/v1/files`)).json();
      expect(listed.data).toHaveLength(2); // three uploads, one deleted
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
