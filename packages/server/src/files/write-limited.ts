import { createWriteStream } from 'node:fs';
import { finished, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The body went past its limit; nothing of it is kept by the caller. */
export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

/**
 * Stream a request body to a new file at `path`, at most `maxBytes` of it
 * (else {@link BodyTooLarge}), handing each chunk to `onChunk` on the way;
 * the byte count when it is all written. A body that ends early (the client
 * went away) fails too. The caller removes the file when this throws.
 */
export async function writeLimited(
  body: Readable,
  path: string,
  { maxBytes, onChunk }: { maxBytes: number; onChunk?: (chunk: Buffer, offset: number) => void },
): Promise<number> {
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      onChunk?.(chunk, bytes);
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(new BodyTooLarge());
        return;
      }
      done(null, chunk);
    },
  });
  // The body is piped by hand, not put in the pipeline: a pipeline destroys its source on
  // error, and the source is the client's connection, which must live to carry the 413.
  const stopFeed = finished(body, { writable: false }, (err) => {
    if (err) meter.destroy(err);
  });
  body.pipe(meter);
  // Large buffers: fewer, bigger writes (a socket delivers 64 KiB at a time).
  const file = createWriteStream(path, { flags: 'wx', highWaterMark: 1024 * 1024 });
  try {
    await pipeline(meter, file);
    return bytes;
  } catch (err) {
    body.unpipe(meter);
    // A pipeline fails as soon as the meter does, before the file is closed, or even opened: the
    // caller's removal would then come before the open, which makes the file again, left behind.
    if (!file.closed) await new Promise<void>((closed) => file.once('close', () => closed()));
    throw err;
  } finally {
    stopFeed();
  }
}
