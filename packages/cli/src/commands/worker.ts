import { constants } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  isWorkerType,
  type JobOutcome,
  type Logger,
  Worker,
  type WorkerJob,
  type WorkerType,
} from '@longrun/worker';
import type { ClientFlags } from '../context.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { duration } from '../output/format.js';

export interface WorkerFlags extends ClientFlags {
  /** Jobs run at once. @default 1 */
  concurrency?: number;
  /** The worker's name in GET /v1/workers. @default `<hostname>-<pid>` */
  name?: string;
  /** Seconds that running jobs may finish in after a signal. @default 30 */
  drain?: number;
}

/**
 * `longrun worker <module>`: serve the job types an ES module exports (made
 * with defineType from @longrun/worker) until SIGTERM or SIGINT, which drain:
 * nothing new is claimed, running jobs finish for --drain seconds and the rest
 * are released. A second signal exits at once. One line per job start and end
 * on stderr.
 */
export async function runWorker(module: string, flags: WorkerFlags): Promise<number> {
  const types = await loadTypes(module);
  const stderr = (line: string) => process.stderr.write(`${line}\n`);
  const logger: Logger = { error: stderr, warn: stderr, info: stderr, debug: stderr };
  const worker = new Worker({
    baseUrl: flags.url,
    apiKey: flags.apiKey,
    name: flags.name,
    concurrency: flags.concurrency,
    drainSeconds: flags.drain,
    types,
    logger,
    logLevel: flags.verbose ? 'debug' : 'warn',
    onJobStart: (job) =>
      stderr(`${job.id} ${job.type} started (attempt ${job.attempt} of ${job.max_attempts})`),
    onJobEnd: (job, outcome) => stderr(endLine(job, outcome)),
  });

  let signals = 0;
  const stopped = new Promise<void>((done) => {
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        stderr(
          `longrun worker: ${signal} again; exiting now (running jobs go back to the queue when their leases run out)`,
        );
        // 128 + the signal's number, as a shell reports a command a signal ended.
        process.exit(128 + constants.signals[signal]);
      }
      stderr(
        `longrun worker: ${signal}: stopping; ${worker.running} running job(s) may finish for ${flags.drain ?? 30}s (${signal} again exits at once)`,
      );
      worker.stop().then(done, done);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  await worker.start();
  if (signals === 0) {
    stderr(
      `longrun worker: ${worker.id} serving ${types.map((t) => t.type).join(', ')} from ${flags.url} (concurrency ${worker.concurrency})`,
    );
  }
  await stopped;
  stderr('longrun worker: stopped');
  return EXIT.completed;
}

/** The types an ES module exports: its default export (a type or an array of them) and its named exports that are types. */
export async function loadTypes(module: string): Promise<WorkerType<never>[]> {
  let exported: Record<string, unknown>;
  try {
    exported = await import(pathToFileURL(resolve(module)).href);
  } catch (err) {
    throw new UsageError(`cannot load ${module}: ${(err as Error).message}`, { cause: err });
  }
  const found = new Map<string, WorkerType<never>>();
  for (const value of Object.values(exported).flatMap((v) => (Array.isArray(v) ? v : [v]))) {
    if (!isWorkerType(value)) continue;
    const same = found.get(value.type);
    if (same && same !== value) throw new UsageError(`${module} exports two definitions of ${value.type}`);
    found.set(value.type, value as WorkerType<never>);
  }
  if (found.size === 0) {
    throw new UsageError(
      `${module} exports no job types: export default defineType({ type, inputSchema, run }) (from @longrun/worker), or an array of them`,
    );
  }
  return [...found.values()];
}

function endLine(job: WorkerJob, { status, error, retry, durationMs }: JobOutcome): string {
  const head = `${job.id} ${job.type} ${status} after ${duration(durationMs)}`;
  switch (status) {
    case 'failed':
      return `${head}: ${error?.code}: ${error?.message}${retry ? ' (to be retried if attempts remain)' : ''}`;
    case 'lease_lost':
      return `${head}: the server gave the job to another attempt`;
    case 'released':
      return `${head}: back in the queue`;
    case 'unreported':
      return `${head}: the server could not be told; the job will run again`;
    default:
      return head;
  }
}
