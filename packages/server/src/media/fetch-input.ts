import { createWriteStream } from 'node:fs';
import { copyFile, link, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileIdOf } from '../files/refs.js';
import { type AddressPolicy, connectOptions, UrlNotAllowedError } from '../net/ssrf.js';
import { JobFailure, UnrecoverableError } from '../processors/errors.js';
import type { InputFiles } from '../processors/processor.js';

export interface FetchInputOptions {
  /** The file the body is written to. */
  dest: string;
  /** The job's signal: cancel stops the transfer. */
  signal: AbortSignal;
  /** Whether private addresses may be reached. */
  policy: AddressPolicy;
  /** Accept a media type (lower case, without parameters; '' when the server sent none). */
  accept: (mediaType: string) => boolean;
  /** The input field, for messages, e.g. "image_url". */
  field: string;
  /** The largest body accepted. @default 50 MiB */
  maxBytes?: number;
  /** The whole transfer, redirects included, must end within this. @default 60000 */
  timeoutMs?: number;
  /** Redirects followed, each checked like the first URL. @default 5 */
  maxRedirects?: number;
  /** Where a file id or a file's content URL is read from; without it, such a value is not a URL. */
  files?: InputFiles | undefined;
}

export interface FetchedInput {
  path: string;
  mediaType: string;
  bytes: number;
}

/** What a body counter throws when a body passes the limit. */
class TooLarge extends Error {}

/**
 * Fetch an http, https or data: URL into a file, with a size limit, a time
 * limit and a media type check, through the SSRF guard (every redirect
 * included). Fails with `url_not_allowed` or `input_fetch_failed`; retryable
 * only when trying again later could help (timeouts, 5xx, 429, network errors).
 */
export async function fetchInput(
  url: string,
  {
    dest,
    signal,
    policy,
    accept,
    field,
    maxBytes = 50 * 1024 * 1024,
    timeoutMs = 60_000,
    maxRedirects = 5,
    files,
  }: FetchInputOptions,
): Promise<FetchedInput> {
  const fileId = files ? fileIdOf(url) : null;
  if (files && fileId !== null) return readUploaded(fileId, { files, dest, accept, field, maxBytes });
  if (url.startsWith('data:')) return fetchDataUrl(url, { dest, accept, field, maxBytes });
  const deadline = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, deadline]);
  let current: URL;
  try {
    current = new URL(url);
  } catch (err) {
    throw new UnrecoverableError('input_fetch_failed', `${field} is not a valid URL.`, { cause: err });
  }
  try {
    for (let hop = 0; ; hop++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new UnrecoverableError(
          'input_fetch_failed',
          `${field} led to ${current.protocol} URL; only http and https are fetched.`,
        );
      }
      const res = await get(current, policy, both);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        res.resume();
        if (hop >= maxRedirects) {
          throw new UnrecoverableError(
            'input_fetch_failed',
            `${field} redirected more than ${maxRedirects} times.`,
          );
        }
        current = new URL(location, current);
        continue;
      }
      if (status !== 200) {
        res.resume();
        const retryable = status >= 500 || status === 408 || status === 429;
        throw new JobFailure(
          'input_fetch_failed',
          `Fetching ${field} failed: the server answered HTTP ${status}.`,
          { retryable },
        );
      }
      const mediaType = (res.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (!accept(mediaType)) {
        res.resume();
        throw new UnrecoverableError(
          'input_fetch_failed',
          `${field} is ${mediaType || 'of no stated type'}, not an accepted media type.`,
        );
      }
      const declared = Number(res.headers['content-length']);
      if (declared > maxBytes) {
        res.resume();
        throw tooLarge(field, maxBytes);
      }
      const bytes = await saveBody(res, dest, maxBytes, both);
      return { path: dest, mediaType, bytes };
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (err instanceof JobFailure) throw err;
    if (err instanceof TooLarge) throw tooLarge(field, maxBytes);
    const cause = (err as Error).cause ?? err;
    if (cause instanceof UrlNotAllowedError) {
      throw new UnrecoverableError('url_not_allowed', `${field}: ${cause.message}`, { cause });
    }
    if (deadline.aborted) {
      throw new JobFailure(
        'input_fetch_failed',
        `Fetching ${field} took longer than ${timeoutMs / 1000} s.`,
        { cause: err },
      );
    }
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobFailure(
      'input_fetch_failed',
      `Fetching ${field} failed: ${code ? `${code} ` : ''}${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

function get(url: URL, policy: AddressPolicy, signal: AbortSignal): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    // A fresh connection each time (agent: false): a pooled socket was checked for another request.
    const req = client.get(url, {
      ...connectOptions(url, policy),
      agent: false,
      signal,
      headers: { 'user-agent': 'longrun (media input fetch)', accept: '*/*' },
    });
    req.once('response', resolve);
    // on, not once: an error after the response (a reset mid-body) must not go unhandled; the body's
    // own errors reach the pipeline that reads it.
    req.on('error', reject);
  });
}

async function saveBody(
  res: IncomingMessage,
  dest: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? new TooLarge() : null, chunk);
    },
  });
  await pipeline(res, counter, createWriteStream(dest), { signal });
  return bytes;
}

async function fetchDataUrl(
  url: string,
  {
    dest,
    accept,
    field,
    maxBytes,
  }: { dest: string; accept: (t: string) => boolean; field: string; maxBytes: number },
): Promise<FetchedInput> {
  let body: Buffer;
  let mediaType: string;
  try {
    // fetch() decodes data: URLs as the URL standard says (base64 or percent-encoded).
    const res = await fetch(url);
    mediaType = (res.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    throw new UnrecoverableError('input_fetch_failed', `${field} is not a valid data: URL.`, { cause: err });
  }
  if (!accept(mediaType)) {
    throw new UnrecoverableError(
      'input_fetch_failed',
      `${field} is ${mediaType}, not an accepted media type.`,
    );
  }
  if (body.length > maxBytes) throw tooLarge(field, maxBytes);
  await writeFile(dest, body);
  return { path: dest, mediaType, bytes: body.length };
}

/**
 * An uploaded file, read from storage, never over HTTP: linked into `dest`
 * (a copy across file systems), so a delete while the job runs cannot take
 * it away halfway. A file that is gone fails the job for good.
 */
async function readUploaded(
  id: string,
  {
    files,
    dest,
    accept,
    field,
    maxBytes,
  }: { files: InputFiles; dest: string; accept: (t: string) => boolean; field: string; maxBytes: number },
): Promise<FetchedInput> {
  const file = await files.find(id);
  const gone = () =>
    new UnrecoverableError(
      'input_fetch_failed',
      `${field}: the uploaded file ${id} is gone (deleted, or expired past --file-retention); upload it again.`,
    );
  if (!file) throw gone();
  if (!accept(file.content_type)) {
    throw new UnrecoverableError(
      'input_fetch_failed',
      `${field}: the uploaded file ${id} is ${file.content_type}, not an accepted media type.`,
    );
  }
  if (file.bytes > maxBytes) throw tooLarge(field, maxBytes);
  try {
    await link(file.path, dest);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw gone();
    if (code !== 'EXDEV' && code !== 'EPERM') throw err;
    await copyFile(file.path, dest).catch((copyErr: NodeJS.ErrnoException) => {
      throw copyErr.code === 'ENOENT' ? gone() : copyErr;
    });
  }
  return { path: dest, mediaType: file.content_type, bytes: file.bytes };
}

function tooLarge(field: string, maxBytes: number): UnrecoverableError {
  return new UnrecoverableError(
    'input_fetch_failed',
    `${field} is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB.`,
  );
}
