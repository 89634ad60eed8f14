import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ApiError } from '../errors.js';
import type { StoredFile } from '../store/file-row.js';
import type { JobStore } from '../store/store.js';
import { SNIFF_BYTES, settleType } from './sniff.js';
import type { FileStorage } from './storage.js';
import { BodyTooLarge, writeLimited } from './write-limited.js';

export interface FileServiceOptions {
  store: JobStore;
  storage: FileStorage;
  /** The largest upload, in bytes (--max-file-size). */
  maxBytes: number;
  /** How long an uploaded file is kept (--file-retention). */
  retentionMs: number;
}

export interface UploadOptions {
  /** The name the client gave; `upload` when it gave none. */
  filename?: string | undefined;
  /** The media type the client declared, without parameters; '' for none. */
  contentType: string;
  /** A lower limit than the server's for this upload. @default --max-file-size */
  maxBytes?: number | undefined;
}

/** A stored file a worker reads an input from. */
export interface LocalFile {
  path: string;
  content_type: string;
  bytes: number;
}

/** What a body counter throws when a body passes the limit. */

export function newFileId(): string {
  return `file_${randomBytes(12).toString('hex')}`;
}

/** An upload's temporary file not written to for this long is one a crash left behind. */
const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Uploaded files: each is streamed to disk (never held in memory), hashed
 * and counted on the way, checked against its declared type, then moved into
 * place and recorded. Files are a tenant's own: another tenant's file is
 * never found. Nothing else writes files.
 */
export class FileService {
  readonly maxBytes: number;
  readonly #store: JobStore;
  readonly #storage: FileStorage;
  readonly #retentionMs: number;
  /** When abandoned uploads were last looked for: never, so the first sweep after a start does. */
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor({ store, storage, maxBytes, retentionMs }: FileServiceOptions) {
    this.#store = store;
    this.#storage = storage;
    this.maxBytes = maxBytes;
    this.#retentionMs = retentionMs;
  }

  /**
   * Store `body` as a new file of `tenant`. Fails with `file_too_large` as
   * soon as the body passes the limit (without reading the rest), with
   * `file_type_mismatch` when the bytes are not the declared type; a body that
   * ends early (the client went away) fails too. A failed upload leaves no
   * file and no record.
   */
  async upload(
    tenant: string,
    body: Readable,
    { filename, contentType, maxBytes = this.maxBytes }: UploadOptions,
  ): Promise<StoredFile> {
    const temp = await this.#storage.tempPath(tenant);
    const hash = createHash('sha256');
    const head = Buffer.alloc(SNIFF_BYTES);
    const max = Math.min(maxBytes, this.maxBytes);
    try {
      const bytes = await writeLimited(body, temp, {
        maxBytes: max,
        onChunk: (chunk, offset) => {
          if (offset < SNIFF_BYTES) chunk.copy(head, offset, 0, SNIFF_BYTES - offset);
          hash.update(chunk);
        },
      });
      const settled = settleType(contentType, head.subarray(0, Math.min(bytes, SNIFF_BYTES)));
      if (!settled.ok) {
        throw new ApiError('file_type_mismatch', {
          message: `The file was sent as ${contentType}, but its first bytes are ${settled.detected ?? 'not that type'}; send its real type, or application/octet-stream to have it detected.`,
        });
      }
      const id = newFileId();
      await this.#storage.commit(tenant, id, temp);
      const now = Date.now();
      const record = {
        id,
        tenant,
        filename: cleanName(filename),
        content_type: settled.type,
        bytes,
        sha256: hash.digest('hex'),
        createdAt: now,
        expiresAt: now + this.#retentionMs,
      };
      try {
        await this.#store.insertFile(record);
      } catch (err) {
        await this.#storage.remove(tenant, id);
        throw err;
      }
      return (await this.#store.getFile(tenant, id)) ?? unreachable(id);
    } catch (err) {
      await this.#storage.discard(temp);
      if (err instanceof BodyTooLarge) {
        throw new ApiError('file_too_large', {
          message: `The file is larger than this server accepts (${max} bytes, --max-file-size).`,
        });
      }
      throw err;
    }
  }

  async get(tenant: string, id: string): Promise<StoredFile> {
    const file = await this.#store.getFile(tenant, id);
    if (!file) throw notFound(id);
    return file;
  }

  list(tenant: string, { limit, beforeSeq }: { limit: number; beforeSeq?: number | undefined }) {
    return this.#store.listFiles({ tenant, limit, beforeSeq });
  }

  /** The record and where its bytes are; `file_not_found` when either is gone. */
  async content(tenant: string, id: string): Promise<{ file: StoredFile; path: string }> {
    const file = await this.get(tenant, id);
    return { file, path: this.#storage.path(tenant, id) };
  }

  async delete(tenant: string, id: string): Promise<StoredFile> {
    const file = await this.#store.deleteFile(tenant, id);
    if (!file) throw notFound(id);
    await this.#storage.remove(tenant, id);
    return file;
  }

  /** Throws `file_not_found` unless `tenant` has every file in `ids` (a job input's check at submit). */
  async requireAll(tenant: string, ids: Iterable<string>): Promise<void> {
    for (const id of new Set(ids)) await this.get(tenant, id);
  }

  /** A file for a worker to read, or null when it is gone (deleted or expired). */
  async local(tenant: string, id: string): Promise<LocalFile | null> {
    const file = await this.#store.getFile(tenant, id);
    if (!file) return null;
    if ((await this.#storage.size(tenant, id)) === null) return null;
    return { path: this.#storage.path(tenant, id), content_type: file.content_type, bytes: file.bytes };
  }

  /**
   * Delete the files past their retention, records and bytes; returns how
   * many. At most once an hour, also remove what uploads cut short by a crash
   * left behind.
   */
  async expire(now = Date.now()): Promise<number> {
    if (now - this.#sweptAt >= ABANDONED_UPLOAD_MS) {
      this.#sweptAt = now;
      await this.#storage.removeAbandoned(ABANDONED_UPLOAD_MS, now);
    }
    let total = 0;
    for (;;) {
      const taken = await this.#store.takeExpiredFiles({ now, limit: 500 });
      for (const file of taken) await this.#storage.remove(file.tenant, file.id);
      total += taken.length;
      if (taken.length < 500) return total;
    }
  }
}

function notFound(id: string): ApiError {
  const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
  return new ApiError('file_not_found', {
    message: `No file ${JSON.stringify(shown)}; upload it with POST /v1/files.`,
  });
}

/** A file name as shown and sent back in Content-Disposition: no folders, no control characters or quotes. */
function cleanName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = [...base]
    .filter((c) => c >= ' ' && c !== '\u007f' && c !== '"')
    .join('')
    .trim()
    .slice(0, 255);
  return clean === '' ? 'upload' : clean;
}

function unreachable(id: string): never {
  throw new Error(`file ${id} was recorded but cannot be read back`);
}
