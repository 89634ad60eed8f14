import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Longrun } from './client.js';

/**
 * Save a job's artifact to `path` (Node only). The file appears whole or not
 * at all: it is written next to `path` and renamed when complete.
 */
export async function saveArtifact(
  client: Longrun,
  id: string,
  name: string,
  path: string,
  { signal }: { signal?: AbortSignal } = {},
): Promise<{ path: string; bytes: number }> {
  const stream = await client.jobs.download(id, name, signal ? { signal } : {});
  let bytes = 0;
  const body = Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  await saveStream(body, path, signal ? { signal } : {});
  return { path, bytes };
}

/**
 * Write `body` to `path` whole or not at all (Node only): into `partialPath`
 * first, renamed to `path` once complete; on failure the partial file is
 * removed and nothing is left at either.
 */
export async function saveStream(
  body: Readable,
  path: string,
  { partialPath = `${path}.part`, signal }: { partialPath?: string; signal?: AbortSignal } = {},
): Promise<void> {
  const file = createWriteStream(partialPath);
  try {
    await pipeline(body, file, signal ? { signal } : {});
    await rename(partialPath, path);
  } catch (err) {
    // A pipeline can fail before the file is even opened: removed first, it would be made again.
    if (!file.closed) await new Promise<void>((closed) => file.once('close', () => closed()));
    await rm(partialPath, { force: true });
    throw err;
  }
}
