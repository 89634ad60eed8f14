import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { StoredJob } from '../jobs/model.js';
import { ALL_STATES, isTerminal, type JobStatus } from '../jobs/states.js';
import type { FeedActivity } from '../store/postgres/feed.js';
import type { QueueCounts } from '../store/store.js';
import { LabeledCounter, LabeledHistogram } from './labeled.js';

/** How often the event-loop delay monitor ticks, in ms. */
const LOOP_RESOLUTION_MS = 10;

/** The Prometheus metrics of one server; each app has its own registry, nothing global. */
export class Metrics {
  readonly registry = new Registry();
  // Counted on every job change and every request: see labeled.ts for why not by prom-client's own.
  readonly #created: LabeledCounter<'type'>;
  readonly #finished: LabeledCounter<'type' | 'status'>;
  readonly #duration: LabeledHistogram<'type' | 'status'>;
  readonly http: LabeledHistogram<'method' | 'route' | 'status_code'>;
  /** Webhook requests sent by this process, by event and what came of them. */
  readonly webhookAttempts: Counter<'event' | 'outcome'>;
  readonly #feedActivity: Counter<'activity'>;
  readonly #queueWait: LabeledHistogram<'queue'>;
  readonly #loopDelay: IntervalHistogram;

  constructor({
    jobCounts,
    queueCounts,
    sseStreams,
    activeJobs,
  }: {
    /** Jobs in the store by status (read at each scrape). */
    jobCounts: () => Promise<Record<JobStatus, number>>;
    /** Each queue's counts (read at each scrape). */
    queueCounts: () => Promise<QueueCounts[]>;
    sseStreams: () => number;
    activeJobs: () => number;
  }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'longrun_' });
    this.#created = new LabeledCounter({
      name: 'longrun_jobs_created_total',
      help: 'Jobs created by this process.',
      labelNames: ['type'],
      registers,
    });
    this.#finished = new LabeledCounter({
      name: 'longrun_jobs_finished_total',
      help: 'Jobs that reached a terminal state in this process.',
      labelNames: ['type', 'status'],
      registers,
    });
    this.#duration = new LabeledHistogram({
      name: 'longrun_job_run_seconds',
      help: 'Time from the last attempt start to the terminal state.',
      labelNames: ['type', 'status'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers,
    });
    this.http = new LabeledHistogram({
      name: 'longrun_http_request_seconds',
      help: 'HTTP requests by route and status (long-polls and streams included).',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60],
      registers,
    });
    this.webhookAttempts = new Counter({
      name: 'longrun_webhook_attempts_total',
      help: 'Webhook requests sent by this process: outcome delivered, retry, failed (no retry left) or gone (410).',
      labelNames: ['event', 'outcome'],
      registers,
    });
    this.#feedActivity = new Counter({
      name: 'longrun_feed_activity_total',
      help:
        'What the PostgreSQL change feed of this process did: notifications heard, reads of notified jobs, ' +
        'reconnects, jobs published by a catch-up, own changes set aside and checked again.',
      labelNames: ['activity'],
      registers,
    });
    new Gauge({
      name: 'longrun_jobs',
      help: 'Jobs in the store by status.',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await jobCounts();
        for (const status of ALL_STATES) this.set({ status }, counts[status]);
      },
    });
    new Gauge({
      name: 'longrun_queue_jobs',
      help: 'Jobs of each queue: queued (due now), scheduled (due later) and running.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const c of await queueCounts()) {
          this.set({ queue: c.queue, state: 'queued' }, c.queued);
          this.set({ queue: c.queue, state: 'scheduled' }, c.scheduled);
          this.set({ queue: c.queue, state: 'running' }, c.running);
        }
      },
    });
    this.#queueWait = new LabeledHistogram({
      name: 'longrun_queue_wait_seconds',
      help: 'Time a job waited in its queue from when it was due to when an attempt started here.',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers,
    });
    // Every 10 ms: a route that holds the event loop (serialising a huge page) shows as delay here.
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loopDelay.enable();
    this.#loopDelay = loopDelay;
    new Gauge({
      name: 'longrun_event_loop_delay_seconds',
      help:
        'How late the event loop ran a 10 ms timer, by quantile (0.5, 0.99) and the max, since the previous ' +
        'scrape: every request waits this long behind whatever holds the loop.',
      labelNames: ['quantile'],
      registers,
      collect() {
        // Node records the whole interval between ticks: the delay is what passes the 10 ms asked for.
        const seconds = (ns: number) =>
          Number.isFinite(ns) ? Math.max(0, ns - LOOP_RESOLUTION_MS * 1e6) / 1e9 : 0;
        this.set({ quantile: '0.5' }, loopDelay.count > 0 ? seconds(loopDelay.percentile(50)) : 0);
        this.set({ quantile: '0.99' }, loopDelay.count > 0 ? seconds(loopDelay.percentile(99)) : 0);
        this.set({ quantile: 'max' }, loopDelay.count > 0 ? seconds(loopDelay.max) : 0);
        loopDelay.reset();
      },
    });
    new Gauge({
      name: 'longrun_sse_streams',
      help: 'Open Server-Sent Events streams.',
      registers,
      collect() {
        this.set(sseStreams());
      },
    });
    new Gauge({
      name: 'longrun_worker_active_jobs',
      help: 'Jobs running in this process.',
      registers,
      collect() {
        this.set(activeJobs());
      },
    });
  }

  /** Stop measuring (the event-loop delay monitor runs until then). */
  close(): void {
    this.#loopDelay.disable();
  }

  /** Count something the PostgreSQL change feed did. */
  feedActivity(activity: FeedActivity): void {
    this.#feedActivity.inc({ activity });
  }

  /** Count a change made by this process. */
  observe(job: StoredJob): void {
    if (job.version === 1) this.#created.inc({ type: job.type });
    // A claim: the attempt starts with this very change.
    if (job.status === 'running' && job.started_at !== null && job.started_at === job.updated_at) {
      const waited = Date.parse(job.started_at) - Math.max(Date.parse(job.created_at), job.due_at);
      this.#queueWait.observe({ queue: job.queue }, Math.max(0, waited) / 1000);
    }
    if (isTerminal(job.status)) {
      this.#finished.inc({ type: job.type, status: job.status });
      if (job.started_at && job.finished_at) {
        const seconds = (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000;
        this.#duration.observe({ type: job.type, status: job.status }, Math.max(0, seconds));
      }
    }
  }
}
