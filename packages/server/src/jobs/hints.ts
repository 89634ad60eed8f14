import type { Job } from './model.js';
import { isTerminal } from './states.js';

const clamp = (ms: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(ms)));

/**
 * How long a poller should wait before asking again, in ms; null for a
 * terminal job. With an eta, until the eta (capped); past it, or without
 * one, a tenth of the time the job has run (or waited in the queue), so a
 * poller's lag stays a small share of the wait. Past the eta the floor is a
 * twentieth of the planned run (10-100 ms): a short job that is due any
 * moment is not made to wait a long step.
 */
export function pollAfterMs(job: Job, now = Date.now()): number | null {
  if (isTerminal(job.status)) return null;
  if (job.status === 'queued') return clamp((now - Date.parse(job.created_at)) / 10, 100, 5000);
  const eta = job.eta === null ? null : Date.parse(job.eta);
  if (eta !== null && eta > now) return clamp(eta - now, 50, 30_000);
  const started = job.started_at === null ? now : Date.parse(job.started_at);
  if (eta === null) return clamp((now - started) / 10, 100, 5000);
  const floor = clamp((eta - started) / 20, 10, 100);
  return clamp((now - eta) / 10, floor, 5000);
}

/** The hint as response headers: `Poll-After-Ms` (exact) and `Retry-After` (whole seconds). */
export function pollHeaders(job: Job, now = Date.now()): Record<string, string> {
  const ms = pollAfterMs(job, now);
  if (ms === null) return {};
  return { 'poll-after-ms': String(ms), 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}
