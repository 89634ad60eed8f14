import { createReadStream, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type BatchResult,
  type CreateManyItem,
  isTerminalStatus,
  type Job,
  type Longrun,
  WaitTimeoutError,
} from '@longrun/client';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/** The most jobs the server takes in one batch by default (its --max-batch-jobs). */
export const DEFAULT_BATCH_SIZE = 1000;

export interface SubmitManyFlags {
  batchSize?: number;
  json?: boolean;
  /** Once every line is sent, wait for the jobs made to end, printing each as it does. */
  wait?: boolean;
  /** With wait: give up after this many seconds (exit 3); the jobs go on. */
  timeout?: number;
}

/** Without --timeout the wait is renewed in day-long turns, so it lasts as long as the jobs. */
const TURN_MS = 24 * 3600 * 1000;

/** One line of the file: the job it asks for, or why it is not one. */
type Line = { n: number; item: CreateManyItem } | { n: number; error: string };

/**
 * Create a job for each line of a JSON Lines file (`-` for stdin), each line a
 * body of `POST /v1/jobs` (with an optional `idempotency_key`), sent in batches
 * of `batchSize`. Prints one line per job, in the file's order: its id, or
 * `error: line N: …`; with --json, one result object per line. Exits 0 when
 * every line made a job (or was one made before), EXIT.error otherwise.
 * With `wait`, then follows the jobs made to their end (see {@link waitForAll}).
 */
export async function submitMany(
  client: Longrun,
  from: string,
  { batchSize = DEFAULT_BATCH_SIZE, json = false, wait = false, timeout }: SubmitManyFlags,
): Promise<number> {
  const lines = createInterface({ input: openInput(from), crlfDelay: Number.POSITIVE_INFINITY });
  let batch: Line[] = [];
  const tally = { made: 0, refused: 0 };
  const made: Job[] = [];
  const send = async () => {
    const items = batch.flatMap((line) => ('item' in line ? [line.item] : []));
    const results = items.length > 0 ? await client.jobs.createMany(items) : [];
    let next = 0;
    for (const line of batch) {
      if ('error' in line)
        print({ n: line.n, status: null, error: { code: 'invalid_line', message: line.error } });
      else print(resultLine(line.n, results[next++]!));
    }
    batch = [];
  };
  const print = (line: Printed) => {
    if (line.status !== null && line.status < 300) tally.made++;
    else tally.refused++;
    if (line.job) made.push(line.job);
    process.stdout.write(`${json ? JSON.stringify(line) : plain(line)}\n`);
  };
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    batch.push(readLine(text, n));
    if (batch.length >= batchSize) await send();
  }
  if (batch.length > 0) await send();
  if (tally.made + tally.refused === 0)
    throw new UsageError(`${from === '-' ? 'standard input' : from} has no jobs`);
  if (tally.refused > 0)
    process.stderr.write(`${tally.refused} of ${tally.made + tally.refused} lines made no job\n`);
  const ended = wait && made.length > 0 ? await waitForAll(client, made, { json, timeout }) : EXIT.completed;
  return tally.refused > 0 ? EXIT.error : ended;
}

/**
 * Follow `jobs` on one event stream until every one has ended, printing each
 * as it ends (`<id> <status>`, or with --json the job), then a count of
 * outcomes on stderr. The exit code is the worst outcome: failed, then
 * canceled; or EXIT.timedOut once `timeout` passes (the jobs go on).
 */
async function waitForAll(
  client: Longrun,
  jobs: readonly Job[],
  { json, timeout }: { json: boolean; timeout: number | undefined },
): Promise<number> {
  const all = new Set(jobs.map((job) => job.id));
  const told = new Set<string>();
  const tell = (job: Job) => {
    if (!isTerminalStatus(job.status) || told.has(job.id)) return;
    told.add(job.id);
    process.stdout.write(`${json ? JSON.stringify(job) : `${job.id} ${job.status}`}\n`);
  };
  let targets: readonly Job[] = jobs;
  let ended: Job[];
  for (;;) {
    try {
      ended = await client.jobs.waitMany(targets, {
        timeoutMs: timeout === undefined ? TURN_MS : timeout * 1000,
        onProgress: tell,
      });
      break;
    } catch (err) {
      if (!(err instanceof WaitTimeoutError)) throw err;
      const seen = new Map((err.last as Job[] | undefined)?.map((job) => [job.id, job]));
      if (timeout !== undefined) {
        process.stderr.write(
          `longrun: gave up waiting after ${timeout}s; ${all.size - told.size} of ${all.size} jobs go on\n`,
        );
        return EXIT.timedOut;
      }
      // A day has passed: wait another, from what was seen.
      targets = targets.map((job) => seen.get(job.id) ?? job);
    }
  }
  for (const job of ended) tell(job);
  const count = (status: Job['status']) =>
    new Set(ended.filter((j) => j.status === status).map((j) => j.id)).size;
  const outcomes = { completed: count('completed'), failed: count('failed'), canceled: count('canceled') };
  process.stderr.write(
    `${Object.entries(outcomes)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ')}\n`,
  );
  if (outcomes.failed > 0) return EXIT.failed;
  if (outcomes.canceled > 0) return EXIT.canceled;
  return EXIT.completed;
}

function openInput(from: string): NodeJS.ReadableStream {
  if (from === '-') return process.stdin;
  let fd: number;
  try {
    // Opened here so that a missing or unreadable file is told before anything is sent.
    fd = openSync(from, 'r');
  } catch (err) {
    throw new UsageError(`cannot read ${from}: ${(err as Error).message}`, { cause: err });
  }
  return createReadStream('', { fd, encoding: 'utf8' });
}

function readLine(text: string, n: number): Line {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { n, error: `not valid JSON (${(err as Error).message})` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { n, error: 'not a JSON object (a body of POST /v1/jobs, such as {"type": "simulate"})' };
  }
  return { n, item: value as CreateManyItem };
}

/** What is printed for a line: with --json as it is, else as {@link plain} says. */
interface Printed {
  n: number;
  status: number | null;
  id?: string;
  job?: Job;
  error?: { code: string | undefined; message: string };
}

function resultLine(n: number, result: BatchResult): Printed {
  if (result.ok) return { n, status: result.status, id: result.job.id, job: result.job };
  return { n, status: result.status, error: { code: result.error.code, message: errorMessage(result) } };
}

/** The server's own message, without the status the error's message starts with. */
function errorMessage(result: BatchResult & { ok: false }): string {
  return result.error.message.replace(/^\d{3} /, '');
}

function plain(line: Printed): string {
  if (line.id !== undefined) return line.id;
  return `error: line ${line.n}: ${line.error?.message ?? 'refused'}${line.error?.code ? ` [${line.error.code}]` : ''}`;
}
