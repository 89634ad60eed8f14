import { ApiError } from '../errors.js';
import type { JsonObject } from './model.js';

/** How large a job's input may be, as stored. */
export interface InputLimits {
  /** The longest `data:` URL in an input, in characters as sent (`--max-data-url-size`). */
  maxDataUrlSize: number;
  /** The most bytes of the input's JSON (`--max-input-size`). */
  maxInputSize: number;
}

const UPLOAD_INSTEAD = 'upload the file with POST /v1/files and pass its id instead';
const DATA_URL = /^data:/i;
/** A character of JSON text that may take more than a byte (JSON escapes those below a space). */
export const NOT_ASCII = /[^ -~]/;

/** Past this many characters an input's JSON is kept for the reply that sends it (see {@link takeInputJson}). */
const KEPT_JSON_CHARS = 64 * 1024;
const keptJson = new WeakMap<JsonObject, string>();

/**
 * The first string in a JSON value that is a `data:` URL longer than `limit`,
 * or null; `path` is left holding the keys that lead to it. No path is written
 * out for the strings that pass: every submit walks its input here.
 */
function longDataUrl(value: unknown, limit: number, path: (string | number)[]): string | null {
  if (typeof value === 'string') return value.length > limit && DATA_URL.test(value) ? value : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const found = longDataUrl(value[i], limit, path);
      if (found !== null) return found;
      path.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      path.push(key);
      const found = longDataUrl((value as Record<string, unknown>)[key], limit, path);
      if (found !== null) return found;
      path.pop();
    }
  }
  return null;
}

/**
 * Refuse a `data:` URL in any field of an input over `maxDataUrlSize`
 * characters: 413 `input_too_large`, telling the caller to upload the file.
 * Inputs are copied into every job read, so files belong in file storage,
 * named by id; a data: URL is for a small picture. Checked before the input
 * is validated, which would otherwise walk the whole of it first.
 */
export function checkDataUrls(input: unknown, { maxDataUrlSize }: InputLimits): void {
  const path: (string | number)[] = [];
  const value = longDataUrl(input, maxDataUrlSize, path);
  if (value === null) return;
  const field = `input${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('')}`;
  throw new ApiError('input_too_large', {
    message: `${field} is a data: URL of ${value.length} characters, more than the ${maxDataUrlSize} this server takes (--max-data-url-size); ${UPLOAD_INSTEAD}.`,
    details: { field, size: value.length, limit: maxDataUrlSize },
  });
}

/**
 * The JSON text of a checked input, as the store keeps it, refused with 413
 * `input_too_large` when over `maxInputSize` bytes. The store is handed this
 * text, and a long one is kept for the reply that sends the job back (see
 * {@link takeInputJson}), so a megabyte input is serialised once.
 */
export function storedInputJson(input: JsonObject, { maxInputSize }: InputLimits): string {
  const text = JSON.stringify(input);
  // Without measuring where it can: a character is 1 to 3 bytes (a 4-byte one is 2 characters),
  // and a text of ASCII alone (a data: URL, base64) is as long in bytes; a scan for other
  // characters is several times cheaper than Buffer.byteLength.
  const size =
    text.length * 3 <= maxInputSize || !NOT_ASCII.test(text) ? text.length : Buffer.byteLength(text);
  if (size > maxInputSize) {
    throw new ApiError('input_too_large', {
      message: `The input is ${size} bytes of JSON, more than the ${maxInputSize} this server keeps in a job (--max-input-size); ${UPLOAD_INSTEAD}.`,
      details: { field: 'input', size, limit: maxInputSize },
    });
  }
  if (text.length > KEPT_JSON_CHARS) keptJson.set(input, text);
  return text;
}

/**
 * The JSON of an input: the text {@link storedInputJson} made of it, handed
 * over once (whoever takes it keeps what it makes of it), else serialised now.
 */
export function takeInputJson(input: JsonObject): string {
  const text = keptJson.get(input);
  if (text === undefined) return JSON.stringify(input);
  keptJson.delete(input);
  return text;
}
