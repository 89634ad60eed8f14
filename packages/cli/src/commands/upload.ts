import { access, constants } from 'node:fs/promises';
import type { FileObject, Longrun } from '@longrun/client';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

export interface UploadFlags {
  /** The name to keep it under. @default the path's base name */
  filename?: string;
  /** Its media type. @default from the extension; else detected by the server */
  contentType?: string;
  json?: boolean;
}

/** Upload a file from disk (streamed), as `client.files.upload` does; a path that cannot be read is a usage error. */
export async function uploadFile(
  client: Longrun,
  path: string,
  { filename, contentType }: Omit<UploadFlags, 'json'>,
): Promise<FileObject> {
  await access(path, constants.R_OK).catch((err: Error) => {
    throw new UsageError(`cannot read ${path}: ${err.message}`, { cause: err });
  });
  return client.files.upload(path, {
    ...(filename === undefined ? {} : { filename }),
    ...(contentType === undefined ? {} : { contentType }),
  });
}

/** `longrun upload <path>`: print the new file's id (or the file as JSON with --json). */
export async function upload(client: Longrun, path: string, flags: UploadFlags): Promise<number> {
  const file = await uploadFile(client, path, flags);
  process.stdout.write(flags.json ? `${JSON.stringify(file)}\n` : `${file.id}\n`);
  return EXIT.completed;
}
