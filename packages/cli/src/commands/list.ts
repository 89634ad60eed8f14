import { isJobStatus, type Job, type JobStatus, type Longrun } from '@longrun/client';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { age } from '../output/format.js';
import { plainTable } from '../output/table.js';

export interface ListFlags {
  status?: string[];
  type?: string[];
  limit: number;
  json?: boolean;
}

const HEAD = ['id', 'type', 'status', 'progress', 'stage', 'message', 'age'];

/** Messages are cut to fit a row on one line of the terminal, or to this many characters off one. */
const MESSAGE_WIDTH = 36;

function messageWidth(rows: string[][], columns: number | undefined): number {
  if (!columns) return MESSAGE_WIDTH;
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const others = widths.reduce((sum, w, i) => (i === 5 ? sum : sum + w), 0) + 2 * (HEAD.length - 1);
  return Math.max(12, columns - others - 1);
}

/** The newest jobs, as a table or one JSON job per line. */
export async function list(client: Longrun, { status, type, limit, json }: ListFlags): Promise<number> {
  const statuses = (status ?? []).flatMap((s) => s.split(','));
  for (const s of statuses)
    if (!isJobStatus(s))
      throw new UsageError(`unknown status "${s}": use queued, running, completed, failed or canceled`);
  const types = (type ?? []).flatMap((t) => t.split(','));
  const jobs: Job[] = [];
  const pager = client.jobs.list({
    ...(statuses.length ? { status: statuses as JobStatus[] } : {}),
    ...(types.length ? { type: types } : {}),
    pageSize: Math.min(limit, 200),
  });
  for await (const job of pager) {
    if (jobs.length >= limit) break;
    jobs.push(job);
  }
  if (json) {
    for (const job of jobs) process.stdout.write(`${JSON.stringify(job)}\n`);
    return EXIT.completed;
  }
  if (jobs.length === 0) {
    process.stdout.write('no jobs\n');
    return EXIT.completed;
  }
  const now = Date.now();
  const rows = jobs.map((job) => [
    job.id,
    job.type,
    job.status,
    `${job.progress}%`,
    job.stage ?? '',
    job.error ? `${job.error.code}: ${job.error.message}` : (job.message ?? ''),
    age(job.created_at, now),
  ]);
  const width = messageWidth(rows, (process.stdout as NodeJS.WriteStream).columns);
  const cells = rows.map((row) => row.map((cell, i) => (i === 5 ? truncate(cell, width) : cell)));
  process.stdout.write(`${plainTable(HEAD, cells)}\n`);
  return EXIT.completed;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
