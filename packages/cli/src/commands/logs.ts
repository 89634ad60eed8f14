import type { Job, LogLine, Longrun } from '@longrun/client';
import { EXIT } from '../exit-codes.js';

/**
 * Print a job's log. With --follow, keep printing new lines as the job
 * changes (each change arrives over the job's event stream) until it ends.
 */
export async function logs(client: Longrun, id: string, { follow }: { follow?: boolean }): Promise<number> {
  let printed = 0;
  const printNew = async () => {
    let index = 0;
    for await (const line of client.jobs.logs(id, { pageSize: 1000 })) {
      if (index++ < printed) continue;
      write(line);
      printed++;
    }
  };
  await printNew();
  if (!follow) return EXIT.completed;
  let lastLine: string | undefined;
  for await (const job of client.jobs.events(id)) {
    // A change that brought no new log line (progress alone) needs no read of the log.
    const newest = job.logs.at(-1);
    if (newest !== lastLine || isOver(job)) {
      lastLine = newest;
      await printNew();
    }
    if (isOver(job)) break;
  }
  return EXIT.completed;
}

function isOver(job: Job): boolean {
  return job.finished_at !== null;
}

function write(line: LogLine): void {
  process.stdout.write(`${line.timestamp}  ${line.line}\n`);
}
