import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Longrun } from '@longrun/client';
import { saveStream } from '@longrun/client/node';
import { isTerminal } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { byteBar } from '../output/byte-bar.js';
import { bytes } from '../output/format.js';

export interface DownloadFlags {
  /** Where to save: a path, or `-` for standard output. @default the artifact's name */
  output?: string;
}

/**
 * Save one artifact of a job, with a byte progress bar on a terminal. The
 * file is written beside its final name and moved there once complete, so
 * an interrupted download never leaves a truncated file under that name.
 */
export async function download(
  client: Longrun,
  id: string,
  name: string | undefined,
  { output }: DownloadFlags,
): Promise<number> {
  const job = await client.jobs.get(id);
  const artifacts = job.output?.artifacts ?? [];
  if (artifacts.length === 0)
    throw new UsageError(
      `${id} has no artifacts (it is ${job.status}${job.type ? `, a ${job.type} job` : ''})`,
    );
  const names = artifacts.map((a) => a.name).join(', ');
  if (name === undefined && artifacts.length > 1)
    throw new UsageError(`${id} has ${artifacts.length} artifacts (${names}): name the one to download`);
  const artifact = name === undefined ? artifacts[0]! : artifacts.find((a) => a.name === name);
  if (!artifact) throw new UsageError(`${id} has no artifact "${name}"; it has ${names}`);

  const body = Readable.fromWeb((await client.jobs.download(id, artifact.name)) as WebReadableStream);
  const toStdout = output === '-';
  const target = output ?? artifact.name;
  const bar = isTerminal(process.stderr) ? byteBar(artifact.name, artifact.size, process.stderr) : null;
  let received = 0;
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    bar?.add(chunk.length);
  });
  try {
    if (toStdout) await pipeline(body, process.stdout);
    else await saveStream(body, target, { partialPath: `${target}.partial` });
  } finally {
    bar?.stop();
  }
  if (!toStdout) process.stderr.write(`saved ${artifact.name} (${bytes(received)}) to ${target}\n`);
  return EXIT.completed;
}
