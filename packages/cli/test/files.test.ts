import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterThisFile, useCleanup } from '../../server/test/helpers/cleanup.js';
import { cli, jsonLines } from './helpers/cli.js';

/** `longrun upload` and `submit key=@path` on pipes, against a server process. */

useCleanup();

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 9, 9, 9, 9]);

let server: LongrunServer;
let dir: string;
let photo: string;

beforeAll(async () => {
  // No workers: the jobs stay queued, with their input as submitted.
  server = await startServer(['--role', 'api']);
  afterThisFile(() => server.close());
  dir = tempDir('longrun-cli-files-');
  afterThisFile(() => removeDir(dir));
  photo = join(dir, 'photo.png');
  writeFileSync(photo, PNG);
}, 60_000);

const run = (...args: string[]) => cli(args, { url: server.url });
const api = async (path: string) => (await fetch(`${server.url}${path}`)).json() as Promise<any>;

describe('longrun upload', () => {
  it('prints the id of the uploaded file, or the file as JSON with --json', async () => {
    const plain = await run('upload', photo);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    const id = plain.stdout.trim();
    expect(id).toMatch(/^file_[0-9a-f]{24}$/);
    expect(await api(`/v1/files/${id}`)).toMatchObject({
      filename: 'photo.png',
      content_type: 'image/png',
      bytes: PNG.length,
    });

    const json = await run('upload', photo, '--json', '--filename', 'other.png');
    expect(json.code).toBe(0);
    const [file] = jsonLines(json.stdout);
    expect(file).toMatchObject({ object: 'file', filename: 'other.png', bytes: PNG.length });
  });

  it('exits 4 with a clear message for a path it cannot read', async () => {
    const r = await run('upload', join(dir, 'missing.png'));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot read .*missing\.png/);
  });
});

describe('longrun submit key=@path', () => {
  it('uploads the file first and submits the job with its id', async () => {
    const r = await run('submit', 'image.to_video', `image_url=@${photo}`, 'length=1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const [job] = jsonLines(r.stdout);
    expect(job.input).toMatchObject({ image_url: expect.stringMatching(/^file_[0-9a-f]{24}$/), length: 1 });
    expect((await api(`/v1/files/${job.input.image_url}`)).filename).toBe('photo.png');
  });

  it('takes @@ as a literal @', async () => {
    const r = await run('submit', 'text.to_video', 'text=@@home', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0].input.text).toBe('@home');
  });
});
