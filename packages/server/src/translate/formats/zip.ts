import { unzipSync, type Zippable, zipSync } from 'fflate';
import { TranslationError } from '../errors.js';

/** The largest a document's files may add up to, unpacked: a guard against zip bombs. */
export const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** Whether it was stored without compression (it is written back the same way). */
  stored: boolean;
}

/** Whether the bytes start like a zip archive. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The entries of a zip archive, in the archive's order. */
export function readZip(bytes: Uint8Array): ZipEntry[] {
  const stored = new Map<string, boolean>();
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(file) {
        total += file.originalSize;
        if (total > MAX_UNZIPPED_BYTES) {
          throw new TranslationError(
            'unsupported_document',
            `The document unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MiB.`,
          );
        }
        stored.set(file.name, file.compression === 0);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof TranslationError) throw err;
    throw new TranslationError('unsupported_document', 'The document is not a readable zip archive.', {
      cause: err,
    });
  }
  return Object.entries(files).map(([name, data]) => ({ name, data, stored: stored.get(name) ?? false }));
}

// a fixed time, as Word writes it, so that the same input always gives the same bytes
const ENTRY_TIME = new Date(1980, 0, 1, 0, 0, 0);

/** A zip archive of the entries, in their order, each compressed as it was. */
export function writeZip(entries: readonly ZipEntry[]): Uint8Array {
  const files: Zippable = {};
  for (const entry of entries) {
    files[entry.name] = [entry.data, { level: entry.stored ? 0 : 6, mtime: ENTRY_TIME }];
  }
  return zipSync(files);
}
