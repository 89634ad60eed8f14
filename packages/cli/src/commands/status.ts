import type { Longrun } from '@longrun/client';
import { EXIT } from '../exit-codes.js';
import { jobText } from '../output/job-text.js';

export async function status(client: Longrun, id: string, { json }: { json?: boolean }): Promise<number> {
  const job = await client.jobs.get(id);
  process.stdout.write(json ? `${JSON.stringify(job)}\n` : jobText(job));
  return EXIT.completed;
}
