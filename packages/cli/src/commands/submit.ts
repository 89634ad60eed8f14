import type { Longrun } from '@longrun/client';
import { EXIT } from '../exit-codes.js';
import { fileFields, parseInput } from '../input.js';
import { uploadFile } from './upload.js';
import { waitAndShow } from './wait.js';

export interface SubmitFlags {
  input?: string;
  id?: string;
  maxAttempts?: number;
  queue?: string;
  priority?: number;
  runAt?: string;
  runIn?: number;
  wait?: boolean;
  timeout?: number;
  json?: boolean;
}

/** Create a job; print its id (or the job with --json), or follow it to its end with --wait. */
export async function submit(
  client: Longrun,
  type: string,
  pairs: string[],
  { input, id, maxAttempts, queue, priority, runAt, runIn, wait, timeout, json }: SubmitFlags,
): Promise<number> {
  const fields = parseInput(input, pairs);
  // `key=@path`: the file is uploaded first and the input names it by id.
  for (const { key, path } of fileFields(pairs)) {
    const file = await uploadFile(client, path, {});
    if (!json) process.stderr.write(`uploaded ${path} as ${file.id}\n`);
    fields[key] = file.id;
  }
  const job = await client.jobs.create({
    type,
    input: fields,
    ...(id ? { id } : {}),
    ...(maxAttempts ? { max_attempts: maxAttempts } : {}),
    ...(queue === undefined ? {} : { queue }),
    ...(priority === undefined ? {} : { priority }),
    // As given: the server checks the time and says what is wrong with it (invalid_run_at).
    ...(runAt === undefined ? {} : { run_at: runAt }),
    ...(runIn === undefined ? {} : { run_in_seconds: runIn }),
  });
  // The id first, so that a wait cut short can be taken up again with `longrun wait <id>`.
  if (wait && !json) process.stderr.write(`submitted ${job.id}\n`);
  if (wait)
    return waitAndShow(client, job.id, { ...(timeout === undefined ? {} : { timeout }), json: !!json });
  process.stdout.write(json ? `${JSON.stringify(job)}\n` : `${job.id}\n`);
  return EXIT.completed;
}
