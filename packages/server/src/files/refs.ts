/**
 * How a job input names an uploaded file: its id (`file_…`), or its content
 * URL `/v1/files/{id}/content`, relative or absolute on this server.
 */

/** A file id: `file_` and 24 letters and digits. */
export const FILE_ID_PATTERN = '^file_[A-Za-z0-9]{1,64}$';
const FILE_ID_RE = new RegExp(FILE_ID_PATTERN);
const CONTENT_PATH_RE = /^\/v1\/files\/(file_[A-Za-z0-9]{1,64})\/content$/;

/** A JSON Schema pattern for an input that takes an uploaded file: the id or the content path. */
export const FILE_REF_PATTERN = 'file_[A-Za-z0-9]{1,64}|/v1/files/file_[A-Za-z0-9]{1,64}/content';

export function isFileId(value: string): boolean {
  return FILE_ID_RE.test(value);
}

/** The content URL of a file, as the API shows it. */
export function fileContentPath(id: string): string {
  return `/v1/files/${id}/content`;
}

/**
 * The file id `value` names, or null when it names none: an id, the content
 * path, or an absolute URL of it whose origin is `origin` (this server, as
 * the request reached it). Workers pass no origin: inputs are normalised at
 * submit (see {@link normaliseFileRef}).
 */
export function fileIdOf(value: string, origin?: string): string | null {
  if (FILE_ID_RE.test(value)) return value;
  let path = value;
  if (origin !== undefined && /^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return null;
    }
    if (url.origin !== new URL(origin).origin || url.search !== '' || url.hash !== '') return null;
    path = url.pathname;
  }
  return CONTENT_PATH_RE.exec(path)?.[1] ?? null;
}
