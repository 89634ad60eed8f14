import type { Job } from '@longrun/client';
import cliProgress from 'cli-progress';
import { duration } from './format.js';

/**
 * How `wait` shows a job: a live bar on a terminal, one plain line per change
 * when the output is a pipe or a file, or one JSON job per line with --json.
 */
export type WaitMode = 'bar' | 'lines' | 'json';

export interface WaitView {
  /** A new state of the job (any order of versions; older ones are ignored). */
  update(job: Job): void;
  /** The wait is over: draw the last state and let go of the terminal. */
  stop(): void;
}

export interface WaitViewOptions {
  mode: WaitMode;
  /** Where the JSON lines, the plain lines and the summary go. @default process.stdout */
  out?: NodeJS.WritableStream;
  /** Where the bar is drawn. @default process.stderr */
  terminal?: NodeJS.WritableStream;
}

/** Progress points between two plain lines when nothing else changed. */
const LINE_STEP = 5;

/** When the job's clock starts: when it started running, else when it was submitted. */
function since(job: Job): number {
  return Date.parse(job.started_at ?? job.created_at);
}

export function elapsedMs(job: Job, now = Date.now()): number {
  return (job.finished_at ? Date.parse(job.finished_at) : now) - since(job);
}

/**
 * Time left: the server's estimate when it has one, else the pace so far
 * (elapsed × remaining ÷ done) once the job has moved; null when unknown.
 */
export function etaMs(job: Job, now = Date.now()): number | null {
  if (job.finished_at) return 0;
  if (job.eta) return Math.max(0, Date.parse(job.eta) - now);
  if (job.status !== 'running' || job.progress <= 0) return null;
  return (elapsedMs(job, now) * (100 - job.progress)) / job.progress;
}

/** `running 45% · processing · Rendering frame 12 · elapsed 4s · eta 5s`, without the bar. */
export function describeProgress(job: Job, now = Date.now()): string {
  const parts: string[] = [];
  if (job.status === 'queued')
    parts.push(job.queue_position == null ? 'queued' : `queued, ${job.queue_position} ahead`);
  else parts.push(job.status);
  parts.push(`${job.progress}%`);
  if (job.stage) parts.push(job.stage);
  if (job.message && job.status !== 'failed') parts.push(job.message);
  parts.push(`elapsed ${duration(elapsedMs(job, now))}`);
  const eta = etaMs(job, now);
  if (eta !== null && !job.finished_at) parts.push(`eta ${duration(eta)}`);
  return parts.join(' · ');
}

/** The closing line: `completed in 3s`, `failed after 2s: simulated_error: …`, `canceled after 1s`. */
export function summary(job: Job): string {
  const took = duration(elapsedMs(job));
  if (job.status === 'completed') return `${job.id} completed in ${took}`;
  if (job.status === 'failed')
    return `${job.id} failed after ${took}${job.error ? `: ${job.error.code}: ${job.error.message}` : ''}`;
  if (job.status === 'canceled') return `${job.id} canceled after ${took}`;
  return `${job.id} ${job.status}`;
}

export function waitView({
  mode,
  out = process.stdout,
  terminal = process.stderr,
}: WaitViewOptions): WaitView {
  let last: Job | null = null;
  const newer = (job: Job) => !last || job.version > last.version;

  if (mode === 'json') {
    return {
      update(job) {
        if (!newer(job)) return;
        last = job;
        out.write(`${JSON.stringify(job)}\n`);
      },
      stop() {},
    };
  }

  if (mode === 'lines') {
    let printed: Job | null = null;
    return {
      update(job) {
        if (!newer(job)) return;
        last = job;
        // A line for each new status, stage or message, and for each 5 points of progress:
        // enough to follow a job in a log file without a line per percent.
        const worth =
          !printed ||
          job.status !== printed.status ||
          job.stage !== printed.stage ||
          job.message !== printed.message ||
          job.progress >= printed.progress + LINE_STEP ||
          (job.progress === 100 && printed.progress < 100);
        if (!worth) return;
        printed = job;
        out.write(`${describeProgress(job)}\n`);
      },
      stop() {
        if (last?.finished_at) out.write(`${summary(last)}\n`);
      },
    };
  }

  const bar = new cliProgress.SingleBar(
    {
      stream: terminal,
      // The bar is redrawn a few times a second, so elapsed and eta tick between events.
      fps: 4,
      barsize: 30,
      hideCursor: true,
      linewrap: true,
      gracefulExit: true,
      format: (options, params, payload: { job: Job }) =>
        `${cliProgress.Format.BarFormat(params.progress, options)} ${describeProgress(payload.job)}`,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(job) {
      if (!newer(job)) return;
      last = job;
      if (!started) {
        started = true;
        bar.start(100, job.progress, { job });
      } else bar.update(job.progress, { job });
    },
    stop() {
      if (started) bar.stop();
      if (last?.finished_at) out.write(`${summary(last)}\n`);
    },
  };
}
