import type { Longrun } from '@longrun/client';
import { EXIT } from '../exit-codes.js';

/** Cancel a job; a job that had already ended keeps its outcome, which is printed. */
export async function cancel(client: Longrun, id: string, { json }: { json?: boolean }): Promise<number> {
  const job = await client.jobs.cancel(id);
  process.stdout.write(json ? `${JSON.stringify(job)}\n` : `${job.id} ${job.status}\n`);
  return EXIT.completed;
}

/** Delete an ended job and its artifacts. */
export async function remove(client: Longrun, id: string): Promise<number> {
  await client.jobs.delete(id);
  process.stdout.write(`${id} deleted\n`);
  return EXIT.completed;
}
