import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { call, eventually, startApp, type TestApp } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import { ffmpeg, runJob } from '../helpers/media.js';
import { storeBackends } from '../helpers/postgres.js';

useCleanup();

/** A PNG's signature and enough of a header for the sniffer (the bytes need not decode). */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR some image bytes'),
]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF and more')]);
const KEYS = ['--api-keys', 'key-alice:alice,key-bob-2:bob'];
const ALICE = { authorization: 'Bearer key-alice' };
const BOB = { authorization: 'Bearer key-bob-2' };

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function upload(
  app: TestApp,
  body: Buffer | FormData,
  { headers = {}, query = '' }: { headers?: Record<string, string>; query?: string } = {},
) {
  const payload = body instanceof FormData ? body : new Uint8Array(body);
  const res = await fetch(`${app.url}/v1/files${query}`, { method: 'POST', body: payload, headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** Every entry under the files folder, dot files (uploads in progress) included. */
function filesOnDisk(app: TestApp): string[] {
  const root = app.config.filesDir;
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const backends = storeBackends('files');

describe.each(backends)('uploaded files on %s', (_name, store) => {
  const start = (argv: string[] = []) => startApp({ argv: [...store(), ...KEYS, ...argv] });

  it('uploads a raw body, then shows, lists, serves (Range, ETag) and deletes it', async () => {
    const app = await start();
    const res = await upload(app, PNG, {
      headers: { ...ALICE, 'content-type': 'image/png' },
      query: '?filename=photo.png',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const file = res.body;
    expect(file).toEqual({
      id: expect.stringMatching(/^file_[0-9a-f]{24}$/),
      object: 'file',
      filename: 'photo.png',
      content_type: 'image/png',
      bytes: PNG.length,
      sha256: sha256(PNG),
      created_at: expect.any(String),
      expires_at: expect.any(String),
      url: `/v1/files/${file.id}/content`,
    });
    expect(res.headers.get('location')).toBe(`/v1/files/${file.id}`);
    // Seven days by default (--file-retention).
    expect(Date.parse(file.expires_at) - Date.parse(file.created_at)).toBe(7 * 24 * 3600 * 1000);

    expect((await call(app.url, 'GET', `/v1/files/${file.id}`, { headers: ALICE })).body).toEqual(file);

    const whole = await fetch(`${app.url}${file.url}`, { headers: ALICE });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('image/png');
    expect(whole.headers.get('content-disposition')).toBe('attachment; filename="photo.png"');
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(file.sha256);
    const etag = whole.headers.get('etag')!;

    const part = await fetch(`${app.url}${file.url}`, { headers: { ...ALICE, range: 'bytes=1-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1-3/${PNG.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(PNG.subarray(1, 4));
    const same = await fetch(`${app.url}${file.url}`, { headers: { ...ALICE, 'if-none-match': etag } });
    expect(same.status).toBe(304);
    const past = await fetch(`${app.url}${file.url}`, { headers: { ...ALICE, range: 'bytes=9999-' } });
    expect(past.status).toBe(416);

    const deleted = await call(app.url, 'DELETE', `/v1/files/${file.id}`, { headers: ALICE });
    expect(deleted.body).toEqual({ id: file.id, object: 'file', deleted: true });
    for (const path of [`/v1/files/${file.id}`, file.url]) {
      const gone = await call(app.url, 'GET', path, { headers: ALICE });
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('file_not_found');
    }
    expect((await call(app.url, 'DELETE', `/v1/files/${file.id}`, { headers: ALICE })).status).toBe(404);
    expect(filesOnDisk(app)).toEqual([]);
  });

  it('takes multipart/form-data with a file field, and names from Content-Disposition', async () => {
    const app = await start();
    const form = new FormData();
    form.append('purpose', 'input');
    form.append('file', new Blob([JPEG], { type: 'image/jpeg' }), 'cat.jpg');
    const multi = await upload(app, form, { headers: ALICE });
    expect(multi.status, JSON.stringify(multi.body)).toBe(201);
    expect(multi.body).toMatchObject({
      filename: 'cat.jpg',
      content_type: 'image/jpeg',
      bytes: JPEG.length,
      sha256: sha256(JPEG),
    });
    const served = await fetch(`${app.url}${multi.body.url}`, { headers: ALICE });
    expect(Buffer.from(await served.arrayBuffer())).toEqual(JPEG);

    const named = await upload(app, Buffer.from('plain words'), {
      headers: {
        ...ALICE,
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="x.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`,
      },
    });
    expect(named.body).toMatchObject({ filename: 'résumé.txt', content_type: 'text/plain' });

    const noFile = new FormData();
    noFile.append('other', new Blob([JPEG]), 'a.jpg');
    const refused = await upload(app, noFile, { headers: ALICE });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/field named "file"/);
  });

  it('detects the type of an octet-stream upload, and refuses bytes that are not the declared type', async () => {
    const app = await start();
    const sniffed = await upload(app, PNG, {
      headers: { ...ALICE, 'content-type': 'application/octet-stream' },
    });
    expect(sniffed.body.content_type).toBe('image/png');
    const none = await upload(app, Buffer.from('no known signature'), { headers: ALICE });
    expect(none.status).toBe(201);
    expect(none.body).toMatchObject({ content_type: 'application/octet-stream', filename: 'upload' });

    const before = filesOnDisk(app).length;
    for (const [type, bytes] of [
      ['image/png', JPEG],
      ['image/jpeg', PNG],
      ['image/webp', PNG],
      ['text/plain', PNG],
    ] as const) {
      const res = await upload(app, bytes, { headers: { ...ALICE, 'content-type': type } });
      expect(res.status, type).toBe(422);
      expect(res.body.error.code).toBe('file_type_mismatch');
    }
    expect(filesOnDisk(app).length).toBe(before);
    const listed = await call(app.url, 'GET', '/v1/files', { headers: ALICE });
    expect(listed.body.data).toHaveLength(2);
  });

  it("lists a tenant's files newest first by cursor, and never shows another tenant's", async () => {
    const app = await start();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await upload(app, Buffer.from(`file ${i}`), { headers: ALICE })).body.id);
    }
    const page1 = await call(app.url, 'GET', '/v1/files?limit=2', { headers: ALICE });
    expect(page1.body.data.map((f: any) => f.id)).toEqual([ids[2], ids[1]]);
    const page2 = await call(app.url, 'GET', `/v1/files?limit=2&cursor=${page1.body.next_cursor}`, {
      headers: ALICE,
    });
    expect(page2.body).toEqual({ data: [expect.objectContaining({ id: ids[0] })], next_cursor: null });

    expect((await call(app.url, 'GET', '/v1/files', { headers: BOB })).body.data).toEqual([]);
    for (const [method, path] of [
      ['GET', `/v1/files/${ids[0]}`],
      ['GET', `/v1/files/${ids[0]}/content`],
      ['DELETE', `/v1/files/${ids[0]}`],
    ] as const) {
      const res = await call(app.url, method, path, { headers: BOB });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('file_not_found');
    }
    // Nor may Bob's job read it.
    const job = await call(app.url, 'POST', '/v1/jobs', {
      headers: BOB,
      body: { type: 'image.to_video', input: { image_url: ids[0] } },
    });
    expect(job.status).toBe(404);
    expect(job.body.error.code).toBe('file_not_found');
    expect((await call(app.url, 'GET', `/v1/files/${ids[0]}`, { headers: ALICE })).status).toBe(200);
  });

  it('refuses a file over --max-file-size with 413 file_too_large, keeping nothing', async () => {
    const app = await start(['--max-file-size', '64k']);
    const res = await upload(app, Buffer.alloc(1024 * 1024, 7), {
      headers: { ...ALICE, 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('file_too_large');
    expect(filesOnDisk(app)).toEqual([]);
    expect((await call(app.url, 'GET', '/v1/files', { headers: ALICE })).body.data).toEqual([]);
    // Exactly the limit is fine.
    const fits = await upload(app, Buffer.alloc(64 * 1024, 7), { headers: ALICE });
    expect(fits.status).toBe(201);
  });

  it('keeps no file and no record of an upload cut off halfway', async () => {
    const app = await start();
    const { port } = new URL(app.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /v1/files?filename=half.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-alice\r\n' +
        'Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n',
    );
    socket.write(Buffer.alloc(500_000, 1));
    // The upload has begun: its temporary file is there.
    await eventually(async () => filesOnDisk(app).length === 1, 10_000);
    socket.destroy();
    await eventually(async () => filesOnDisk(app).length === 0, 10_000);
    expect((await call(app.url, 'GET', '/v1/files', { headers: ALICE })).body.data).toEqual([]);
  });

  it('refuses a job input naming a file that does not exist, at submit', async () => {
    const app = await start();
    for (const image_url of [
      'file_000000000000000000000000',
      '/v1/files/file_000000000000000000000000/content',
    ]) {
      const res = await call(app.url, 'POST', '/v1/jobs', {
        headers: ALICE,
        body: { type: 'image.to_video', input: { image_url } },
      });
      expect(res.status, image_url).toBe(404);
      expect(res.body.error.code).toBe('file_not_found');
    }
    expect((await call(app.url, 'GET', '/v1/jobs', { headers: ALICE })).body.data).toEqual([]);
  });
});

describe('jobs made from uploaded files', () => {
  it('image.to_video renders an uploaded PNG, named by id or by its absolute content URL', async () => {
    const app = await startApp({ argv: KEYS });
    const png = join(app.dataDir, 'input.png');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', png]);
    const { readFileSync } = await import('node:fs');
    const file = (
      await upload(app, readFileSync(png), { headers: { ...ALICE, 'content-type': 'image/png' } })
    ).body;
    expect(file.content_type).toBe('image/png');

    const byId = await runJob(
      app.url,
      'image.to_video',
      { image_url: file.id, length: 1, frame_rate: 5, width: 160, height: 120 },
      { headers: ALICE },
    );
    expect(byId.status, JSON.stringify(byId.error)).toBe('completed');
    expect(byId.output.frames).toBe(5);
    expect(byId.logs.join('\n')).toMatch(/fetched image_url: \d+ bytes, image\/png/);

    // An absolute URL of this server is kept as the content path, read from storage like the id.
    const byUrl = await runJob(
      app.url,
      'image.to_video',
      { image_url: `${app.url}${file.url}`, length: 1, frame_rate: 5, width: 160, height: 120 },
      { headers: ALICE },
    );
    expect(byUrl.status, JSON.stringify(byUrl.error)).toBe('completed');
    expect(byUrl.input.image_url).toBe(file.url);
  }, 120_000);

  it('fails a job with input_fetch_failed when its file was deleted before it ran', async () => {
    const app = await startApp({ argv: KEYS });
    const file = (await upload(app, PNG, { headers: { ...ALICE, 'content-type': 'image/png' } })).body;
    const created = await call(app.url, 'POST', '/v1/jobs', {
      headers: ALICE,
      body: { type: 'image.to_video', input: { image_url: file.id }, run_in_seconds: 1 },
    });
    expect(created.status).toBe(202);
    await call(app.url, 'DELETE', `/v1/files/${file.id}`, { headers: ALICE });
    let job = created.body;
    while (job.status === 'queued' || job.status === 'running') {
      job = (
        await call(app.url, 'GET', `/v1/jobs/${job.id}?wait=30&since=${job.version}`, { headers: ALICE })
      ).body;
    }
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('input_fetch_failed');
    expect(job.error.message).toMatch(/is gone/);
  }, 60_000);
});
