import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LongrunServer, removeDir, startServer, tempDir } from '@longrun/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterThisFile, useCleanup } from '../../server/test/helpers/cleanup.js';
import {
  APIError,
  type FileObject,
  InternalServerError,
  Longrun,
  NotFoundError,
  UnprocessableEntityError,
} from '../src/index.js';

/** `client.files` against a server process (port 0). */

useCleanup();

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 4]);

let server: LongrunServer;
let client: Longrun;
let dir: string;

beforeAll(async () => {
  server = await startServer(['--max-file-size', '8m']);
  afterThisFile(() => server.close());
  client = new Longrun({ baseUrl: server.url });
  dir = tempDir('longrun-client-files-');
  afterThisFile(() => removeDir(dir));
}, 60_000);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe('client.files against a server', () => {
  it('uploads from a path (streamed), a Blob and bytes, and reads each back', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 3);
    const file = join(dir, 'photo.png');
    writeFileSync(file, Buffer.concat([PNG, big]));
    const fromPath = await client.files.upload(file);
    expect(fromPath).toMatchObject({
      object: 'file',
      filename: 'photo.png',
      content_type: 'image/png',
      bytes: PNG.length + big.length,
      sha256: sha256(Buffer.concat([PNG, big])),
    });

    const fromBlob = await client.files.upload(new Blob([PNG], { type: 'image/png' }), { filename: 'b.png' });
    expect(fromBlob).toMatchObject({ filename: 'b.png', content_type: 'image/png', bytes: PNG.length });
    const fromBytes = await client.files.upload(new Uint8Array(PNG));
    expect(fromBytes.content_type).toBe('image/png'); // sent as octet-stream, detected

    expect(await client.files.get(fromBlob.id)).toEqual(fromBlob);
    expect(sha256(await bytesOf(await client.files.content(fromPath.id)))).toBe(fromPath.sha256);
  });

  it('lists files as an async iterable, newest first, and deletes them', async () => {
    const made: FileObject[] = [];
    for (let i = 0; i < 3; i++) made.push(await client.files.upload(new TextEncoder().encode(`n${i}`)));
    const seen: string[] = [];
    for await (const f of client.files.list({ pageSize: 2 })) seen.push(f.id);
    expect(seen.slice(0, 3)).toEqual(made.map((f) => f.id).reverse());

    expect(await client.files.delete(made[0]!.id)).toEqual({
      id: made[0]!.id,
      object: 'file',
      deleted: true,
    });
    const err = await client.files.get(made[0]!.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toBe('file_not_found');
  });

  it('answers too large and a mismatched type with typed errors', async () => {
    const large = await client.files.upload(new Uint8Array(9 * 1024 * 1024)).catch((e: unknown) => e);
    expect(large).toBeInstanceOf(APIError);
    expect(large).toMatchObject({ status: 413, code: 'file_too_large' });
    const wrong = await client.files
      .upload(new Uint8Array(PNG), { contentType: 'image/jpeg' })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UnprocessableEntityError);
    expect((wrong as APIError).code).toBe('file_type_mismatch');
  });

  it('does not retry a streamed upload, and retries bytes', async () => {
    let calls = 0;
    const failing = new Longrun({
      baseUrl: server.url,
      fetch: async () => {
        calls++;
        return new Response('{"error":{"code":"store_unavailable","message":"x"}}', { status: 503 });
      },
      maxRetries: 2,
    });
    const file = join(dir, 'once.bin');
    writeFileSync(file, PNG);
    await expect(failing.files.upload(file)).rejects.toBeInstanceOf(InternalServerError);
    expect(calls).toBe(1);
    calls = 0;
    await expect(failing.files.upload(new Uint8Array(PNG))).rejects.toBeInstanceOf(InternalServerError);
    expect(calls).toBe(3);
  }, 30_000);
});
