import { ApiError } from '../errors.js';

/** How large a job's input may be, as stored. */
export interface InputLimits {
  /** The longest `data:` URL in an input, in characters as sent (`--max-data-url-size`). */
  maxDataUrlSize: number;
  /** The most bytes of the input's JSON (`--max-input-size`). */
  maxInputSize: number;
}

const UPLOAD_INSTEAD = 'upload the file with POST /v1/files and pass its id instead';
const DATA_URL = /^data:/i;

/** Every string in a JSON value, with its path (`input.image_url`). */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}[${i}]`);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* strings(v, `${path}.${k}`);
}

/**
 * Refuse an input too large to keep in a job: a `data:` URL in any field
 * over `maxDataUrlSize` characters, or the input as a whole over
 * `maxInputSize` bytes of JSON. Inputs are copied into every job read and
 * list, so files belong in file storage, named by id; a data: URL is for a
 * small picture. Both answer 413 `input_too_large`, telling the caller to
 * upload the file.
 */
export function checkInputSize(input: unknown, { maxDataUrlSize, maxInputSize }: InputLimits): void {
  for (const [field, value] of strings(input, 'input')) {
    if (value.length > maxDataUrlSize && DATA_URL.test(value)) {
      throw new ApiError('input_too_large', {
        message: `${field} is a data: URL of ${value.length} characters, more than the ${maxDataUrlSize} this server takes (--max-data-url-size); ${UPLOAD_INSTEAD}.`,
        details: { field, size: value.length, limit: maxDataUrlSize },
      });
    }
  }
  const size = Buffer.byteLength(JSON.stringify(input ?? {}));
  if (size > maxInputSize) {
    throw new ApiError('input_too_large', {
      message: `The input is ${size} bytes of JSON, more than the ${maxInputSize} this server keeps in a job (--max-input-size); ${UPLOAD_INSTEAD}.`,
      details: { field: 'input', size, limit: maxInputSize },
    });
  }
}
