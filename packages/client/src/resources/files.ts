import { HttpCore } from '../core.js';
import { LongrunError } from '../errors/longrun-error.js';
import { AutoPager, type Page } from '../pagination.js';
import type { FileObject } from '../types.js';
import type { CallOptions } from './jobs.js';

/** What `files.upload` sends: a file's path (Node), or its bytes. */
export type UploadSource = string | Blob | Uint8Array | ReadableStream<Uint8Array>;

export interface UploadOptions extends CallOptions {
  /**
   * The name the file is kept under (and downloaded as).
   * @default the path's base name; a Blob's `name` when it is a File; else none
   */
  filename?: string | undefined;
  /**
   * Its media type. The server checks images and DOCX against their first bytes.
   * @default from the path's extension, or the Blob's `type`; else application/octet-stream (the server detects it)
   */
  contentType?: string | undefined;
}

const path = (id: string) => `/v1/files/${encodeURIComponent(id)}`;

/** Media types of the extensions longrun reads, for uploads from a path. */
const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  txt: 'text/plain',
  md: 'text/markdown',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
  html: 'text/html',
  htm: 'text/html',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/**
 * `client.files`: uploaded files (docs/api.md, Files). Upload large inputs
 * here and put the id in a job's input where it takes a URL
 * (`image_url: file.id`).
 */
export class Files {
  constructor(private readonly core: HttpCore) {}

  /**
   * Upload a file. From a path (Node) it is streamed from disk, never read
   * into memory; a stream is sent as it is read. Neither is retried (its
   * bytes cannot be sent twice); a Blob or bytes are, like other requests.
   */
  async upload(
    source: UploadSource,
    { filename, contentType, signal }: UploadOptions = {},
  ): Promise<FileObject> {
    let body: Blob | Uint8Array | ReadableStream<Uint8Array>;
    let name = filename;
    let type = contentType;
    if (typeof source === 'string') {
      body = await openFile(source);
      name ??= source.split(/[\\/]/).pop();
      type ??= BY_EXTENSION[source.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? ''];
    } else {
      body = source;
      if (typeof Blob !== 'undefined' && source instanceof Blob) {
        type ??= source.type || undefined;
        name ??= (source as Blob & { name?: string }).name;
      }
    }
    return this.core.request(
      {
        method: 'POST',
        path: '/v1/files',
        query: { filename: name },
        headers: { 'content-type': type ?? 'application/octet-stream' },
        rawBody: body,
        signal,
      },
      (r) => HttpCore.json<FileObject>(r),
    );
  }

  get(id: string, { signal }: CallOptions = {}): Promise<FileObject> {
    return this.core.request({ path: path(id), signal }, (r) => HttpCore.json<FileObject>(r));
  }

  /** Your files, newest first, as an async iterable that fetches page after page. */
  list({ pageSize = 20, signal }: CallOptions & { pageSize?: number } = {}): AutoPager<FileObject> {
    return new AutoPager((cursor) =>
      this.core.request({ path: '/v1/files', query: { limit: pageSize, cursor }, signal }, (r) =>
        HttpCore.json<Page<FileObject>>(r),
      ),
    );
  }

  delete(id: string, { signal }: CallOptions = {}): Promise<{ id: string; object: 'file'; deleted: true }> {
    return this.core.request({ method: 'DELETE', path: path(id), signal }, (r) => HttpCore.json(r));
  }

  /** The file's bytes, as a web ReadableStream. */
  content(id: string, { signal }: CallOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.core.request(
      { path: `${path(id)}/content`, headers: { accept: '*/*' }, signal, stream: true },
      async (r) => r.body ?? new ReadableStream({ start: (c) => c.close() }),
    );
  }
}

/** A file on disk as a web stream (Node only): read as it is sent. */
async function openFile(file: string): Promise<ReadableStream<Uint8Array>> {
  let fs: typeof import('node:fs');
  let Readable: typeof import('node:stream').Readable;
  try {
    [fs, { Readable }] = await Promise.all([import('node:fs'), import('node:stream')]);
  } catch (err) {
    throw new LongrunError('Uploading from a path needs Node; in a browser pass a Blob or File.', {
      cause: err,
    });
  }
  await fs.promises.access(file, fs.constants.R_OK).catch((err: Error) => {
    throw new LongrunError(`Cannot read ${file}: ${err.message}`, { cause: err });
  });
  return Readable.toWeb(fs.createReadStream(file)) as unknown as ReadableStream<Uint8Array>;
}
