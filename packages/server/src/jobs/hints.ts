import type { Job } from './model.js';
import { isTerminal } from './states.js';

const clamp = (ms: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(ms)));

/**
 * Before its eta a job can still end early (a failure, a cancel): a poller
 * waits until the eta, but never longer than the job has already run, nor
 * less than this. A job that fails early is then heard of within about the
 * time it ran, at a few requests more for long jobs (a 30-s job: about 6).
 */
export const EARLY_END_FLOOR_MS = 2000;

/** What a poll hint is made from. */
export type HintedJob = Pick<Job, 'status' | 'created_at' | 'started_at' | 'eta'>;

/**
 * How long a poller should wait before asking again, in ms; null for a
 * terminal job. With an eta, until the eta, or the time the job has run so
 * far (at least EARLY_END_FLOOR_MS) if that is sooner; past the eta, or
 * without one, a tenth of the time the job has run (or waited in the
 * queue), so a poller's lag stays a small share of the wait. Past the eta
 * the floor is a twentieth of the planned run (10-100 ms): a short job that
 * is due any moment is not made to wait a long step.
 */
export function pollAfterMs(job: HintedJob, now = Date.now()): number | null {
  if (isTerminal(job.status)) return null;
  const times = timesOf(job);
  if (job.status === 'queued') return clamp((now - times.created) / 10, 100, 5000);
  const eta = times.eta;
  const started = times.started ?? now;
  if (eta !== null && eta > now) {
    return clamp(Math.min(eta - now, Math.max(EARLY_END_FLOOR_MS, now - started)), 50, 30_000);
  }
  if (eta === null) return clamp((now - started) / 10, 100, 5000);
  const floor = clamp((eta - started) / 20, 10, 100);
  return clamp((now - eta) / 10, floor, 5000);
}

interface Times {
  created: number;
  started: number | null;
  eta: number | null;
}

/** Each snapshot's times as numbers, parsed once: a job polled often is the same snapshot many times. */
const parsed = new WeakMap<HintedJob, Times>();

/** A snapshot's times in ms (a job snapshot is never changed once made, so they are kept by it). */
function timesOf(job: HintedJob): Times {
  let times = parsed.get(job);
  if (times === undefined) {
    times = {
      created: Date.parse(job.created_at),
      started: job.started_at === null ? null : Date.parse(job.started_at),
      eta: job.eta === null ? null : Date.parse(job.eta),
    };
    parsed.set(job, times);
  }
  return times;
}

/** The hint as response headers: `Poll-After-Ms` (exact) and `Retry-After` (whole seconds). */
export function pollHeaders(job: HintedJob, now = Date.now()): Record<string, string> {
  const ms = pollAfterMs(job, now);
  if (ms === null) return {};
  return { 'poll-after-ms': String(ms), 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}
