import { iso } from './job-row.js';

/** An uploaded file's record, as the store keeps it (the bytes are on disk, see files/storage.ts). */
export interface StoredFile {
  id: string;
  tenant: string;
  filename: string;
  content_type: string;
  bytes: number;
  /** SHA-256 of the bytes, lower-case hex. */
  sha256: string;
  created_at: string;
  expires_at: string;
  /** The list cursor: files with a lower seq are older. */
  seq: number;
}

/** What a caller gives to record an uploaded file. */
export type NewFile = Pick<StoredFile, 'id' | 'tenant' | 'filename' | 'content_type' | 'bytes' | 'sha256'> & {
  /** ms */
  createdAt: number;
  /** ms */
  expiresAt: number;
};

/** A `files` row as both stores read it: the record, with its times in ms. */
export type FileRow = Omit<StoredFile, 'created_at' | 'expires_at'> & {
  created_at: number;
  expires_at: number;
};

export function toFile(row: FileRow): StoredFile {
  return {
    id: row.id,
    tenant: row.tenant,
    filename: row.filename,
    content_type: row.content_type,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    created_at: iso(Number(row.created_at)),
    expires_at: iso(Number(row.expires_at)),
    seq: Number(row.seq),
  };
}
