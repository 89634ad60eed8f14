import { type FileHandle, open } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

export interface SendFileOptions {
  /** The file on disk; null (or a file that is gone) answers `notFound()`. */
  path: string | null;
  /** The Content-Type, asked once the file is open. */
  contentType: () => string;
  /** What the client saves it as (Content-Disposition). */
  filename: string;
  /** @default true */
  withBody?: boolean;
  notFound: () => ApiError;
}

/**
 * Send a file from disk, honouring the request's validators and range: single
 * byte ranges (206, or 416 past the end), `ETag` with `If-None-Match` (304)
 * and `If-Range`, a download name in `Content-Disposition`. The file is
 * streamed from an open handle, so the headers and the bytes describe the
 * same file even if it is replaced or removed meanwhile; a client that goes
 * away closes it. Artifacts and uploaded files are both served by this.
 */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  { path, contentType, filename, withBody = true, notFound }: SendFileOptions,
): Promise<FastifyReply> {
  let handle: FileHandle | null = null;
  try {
    if (path !== null) handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!handle) throw notFound();
  let streaming = false;
  try {
    const { size, mtime } = await handle.stat();
    const etag = `"${size.toString(16)}-${Math.floor(mtime.getTime()).toString(16)}"`;
    const validators = { etag, 'last-modified': mtime.toUTCString(), 'cache-control': 'private, no-cache' };
    if (matchesEtag(request.headers['if-none-match'], etag))
      return reply.code(304).headers(validators).send();

    let range = parseRange(request.headers.range, size);
    const ifRange = request.headers['if-range'];
    if (range !== null && ifRange !== undefined && ifRange !== etag) range = null;
    if (range === 'unsatisfiable') {
      throw new ApiError('range_not_satisfiable', {
        message: `The range ${request.headers.range} is outside the file of ${size} bytes.`,
        headers: { 'content-range': `bytes */${size}`, 'accept-ranges': 'bytes' },
      });
    }
    reply.headers({
      ...validators,
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-type': contentType(),
      'content-disposition': contentDisposition(filename),
    });
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    reply.header('content-length', String(Math.max(0, end - start + 1)));
    if (!withBody || size === 0) return reply.send();
    streaming = true;
    return reply.send(handle.createReadStream({ start, end, autoClose: true }));
  } finally {
    if (!streaming) await handle.close();
  }
}

/**
 * `attachment` with the name: plain ASCII in `filename`, and the exact name
 * in `filename*` (RFC 6266) when it has other characters.
 */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  if (ascii === filename) return `attachment; filename="${filename}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** If-None-Match: a list of entity tags (weak ones compare by their value) or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/**
 * A `Range` header for a file of `size` bytes: one range, a range past the
 * end ('unsatisfiable'), or null to send the whole file (no header, another
 * unit, several ranges, or a malformed one, which a server may ignore).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}
