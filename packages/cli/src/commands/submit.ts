import type { Longrun } from '@longrun/client';
import { EXIT } from '../exit-codes.js';
import { parseInput } from '../input.js';
import { waitAndShow } from './wait.js';

export interface SubmitFlags {
  input?: string;
  id?: string;
  maxAttempts?: number;
  wait?: boolean;
  timeout?: number;
  json?: boolean;
}

/** Create a job; print its id (or the job with --json), or follow it to its end with --wait. */
export async function submit(
  client: Longrun,
  type: string,
  pairs: string[],
  { input, id, maxAttempts, wait, timeout, json }: SubmitFlags,
): Promise<number> {
  const job = await client.jobs.create({
    type,
    input: parseInput(input, pairs),
    ...(id ? { id } : {}),
    ...(maxAttempts ? { max_attempts: maxAttempts } : {}),
  });
  // The id first, so that a wait cut short can be taken up again with `longrun wait <id>`.
  if (wait && !json) process.stderr.write(`submitted ${job.id}\n`);
  if (wait)
    return waitAndShow(client, job.id, { ...(timeout === undefined ? {} : { timeout }), json: !!json });
  process.stdout.write(json ? `${JSON.stringify(job)}\n` : `${job.id}\n`);
  return EXIT.completed;
}
