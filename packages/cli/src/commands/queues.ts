import type { Longrun, Queue } from '@longrun/client';
import { EXIT } from '../exit-codes.js';
import { duration } from '../output/format.js';
import { plainTable } from '../output/table.js';

const HEAD = [
  'name',
  'kind',
  'paused',
  'queued',
  'scheduled',
  'running',
  'concurrency',
  'global limit',
  'oldest age',
  'finished/min',
];

function row(q: Queue): string[] {
  return [
    q.name,
    q.kind,
    q.paused ? 'yes' : 'no',
    String(q.queued),
    String(q.scheduled),
    String(q.running),
    String(q.concurrency),
    q.global_limit === null ? '-' : String(q.global_limit),
    q.oldest_queued_age_seconds === null ? '-' : duration(q.oldest_queued_age_seconds * 1000),
    String(q.finished_last_minute),
  ];
}

/** The queues as a table, or one JSON queue per line. */
export async function listQueues(client: Longrun, { json }: { json?: boolean }): Promise<number> {
  const queues = await client.queues.list();
  if (json) {
    for (const q of queues) process.stdout.write(`${JSON.stringify(q)}\n`);
    return EXIT.completed;
  }
  if (queues.length === 0) {
    process.stdout.write('no queues\n');
    return EXIT.completed;
  }
  process.stdout.write(`${plainTable(HEAD, queues.map(row))}\n`);
  // On stderr, so that stdout stays the table alone.
  if (queues.some((q) => q.scope === 'tenant'))
    process.stderr.write("counts are your own tenant's jobs: this key is not an operator's\n");
  return EXIT.completed;
}

/** Pause or resume a queue and print its new state. */
export async function setPaused(
  client: Longrun,
  name: string,
  paused: boolean,
  { json }: { json?: boolean },
): Promise<number> {
  const q = paused ? await client.queues.pause(name) : await client.queues.resume(name);
  process.stdout.write(json ? `${JSON.stringify(q)}\n` : `${stateLine(q)}\n`);
  return EXIT.completed;
}

/** `media paused: 2 running, 12 queued, 3 scheduled` (a paused queue's running jobs finish). */
function stateLine(q: Queue): string {
  return `${q.name} ${q.paused ? 'paused' : 'resumed'}: ${q.running} running, ${q.queued} queued, ${q.scheduled} scheduled`;
}
