// The remote-worker protocol of docs/workers.md in memory, behind a `fetch`: enough of the
// server to drive a Worker's claim loop, heartbeats and outcomes without sockets, and to
// inject the faults a network has (`intercept`).
import { json } from '../../../client/test/helpers.js';

export { json };

export interface FakeCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeJob {
  id: string;
  type: string;
  input: Record<string, unknown>;
  attempt: number;
  state: 'queued' | 'running' | 'completed' | 'failed' | 'canceled';
  token?: string;
  output?: unknown;
  error?: unknown;
  retry?: boolean;
  progress?: number;
  logs: string[];
  reports: Record<string, unknown>[];
}

export interface FakeServerOptions {
  leaseSeconds?: number;
  heartbeatSeconds?: number;
  /** Answer a call before the fake does: a Response or an Error (thrown, as fetch does); undefined to go on. */
  intercept?: (call: FakeCall) => Response | Error | undefined;
}

const refused = (status: number, code: string) => json(status, { error: { code, message: code } });

export class FakeServer {
  readonly calls: FakeCall[] = [];
  readonly jobs = new Map<string, FakeJob>();
  readonly workers = new Set<string>();
  readonly artifacts = new Map<string, { contentType: string; bytes: number }>();
  intercept: FakeServerOptions['intercept'];
  readonly #options: FakeServerOptions;
  #waiters: (() => void)[] = [];
  #seq = 0;

  constructor(options: FakeServerOptions = {}) {
    this.#options = options;
    this.intercept = options.intercept;
  }

  /** Queue a job; a waiting claim takes it at once. */
  submit(type: string, input: Record<string, unknown> = {}): FakeJob {
    const job: FakeJob = {
      id: `j${++this.#seq}`,
      type,
      input,
      attempt: 0,
      state: 'queued',
      logs: [],
      reports: [],
    };
    this.jobs.set(job.id, job);
    for (const wake of this.#waiters.splice(0)) wake();
    return job;
  }

  cancel(id: string): void {
    const job = this.jobs.get(id)!;
    job.state = 'canceled';
    delete job.token;
  }

  /** The calls to paths ending with `suffix`. */
  callsTo(suffix: string): FakeCall[] {
    return this.calls.filter((c) => c.path.endsWith(suffix));
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    // A real answer comes on a later turn of the event loop: so does this one, so that timers still run.
    await new Promise((resolve) => setImmediate(resolve));
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    let body: unknown;
    if (typeof init.body === 'string') body = JSON.parse(init.body);
    else if (init.body) {
      let bytes = 0;
      for await (const chunk of init.body as ReadableStream<Uint8Array>) bytes += chunk.byteLength;
      body = { bytes };
    }
    const call: FakeCall = { method: init.method ?? 'GET', path: url.pathname, headers, body };
    this.calls.push(call);
    const early = this.intercept?.(call);
    if (early instanceof Error) throw early;
    if (early) return early;
    return this.#route(call, init.signal ?? undefined);
  };

  async #route(call: FakeCall, signal: AbortSignal | undefined): Promise<Response> {
    const parts = call.path.split('/').slice(1).map(decodeURIComponent); // v1 workers W jobs REF action
    if (call.method === 'POST' && parts.length === 2) {
      const id = `wrk_${++this.#seq}`;
      this.workers.add(id);
      const types = (call.body as { types: { type: string }[] }).types.map((t) => t.type);
      return json(201, {
        id,
        name: (call.body as { name: string }).name,
        types,
        lease_seconds: this.#options.leaseSeconds ?? 2,
        heartbeat_seconds: this.#options.heartbeatSeconds ?? 0.1,
        max_wait_seconds: 60,
      });
    }
    const worker = parts[2]!;
    if (!this.workers.has(worker)) return refused(404, 'worker_not_found');
    if (call.method === 'DELETE') {
      this.workers.delete(worker);
      return new Response(null, { status: 204 });
    }
    if (parts[3] === 'claim')
      return this.#claim(call.body as { max_jobs: number; wait_seconds: number }, signal);
    const job = this.jobs.get(parts[4]!.replace(/^default:/, ''));
    if (!job) return refused(404, 'job_not_found');
    if (
      job.state === 'canceled' &&
      parts[5] === 'heartbeat' &&
      call.headers['lease-token'] === `t-${job.id}-${job.attempt}`
    )
      return json(200, { canceled: true, lease_expires_at: null });
    if (job.state !== 'running' || job.token !== call.headers['lease-token'])
      return refused(409, 'lease_lost');
    const report = call.body as { progress?: number; logs?: string[] } | undefined;
    if (report && call.method === 'POST') {
      job.reports.push(report as Record<string, unknown>);
      if (report.progress !== undefined) job.progress = report.progress;
      job.logs.push(...(report.logs ?? []));
    }
    switch (parts[5]) {
      case 'heartbeat':
        return json(200, { canceled: false, lease_expires_at: new Date(Date.now() + 2000).toISOString() });
      case 'artifacts': {
        const name = parts[6]!;
        const bytes = (call.body as { bytes: number }).bytes;
        this.artifacts.set(`${job.id}/${name}`, { contentType: call.headers['content-type']!, bytes });
        return json(201, {
          name,
          content_type: call.headers['content-type'],
          size: bytes,
          url: `/v1/jobs/${job.id}/artifacts/${name}`,
        });
      }
      case 'complete':
        Object.assign(job, { state: 'completed', output: (call.body as { output: unknown }).output });
        delete job.token;
        return json(200, { id: job.id, status: 'completed' });
      case 'fail': {
        const { error, retry } = call.body as { error: unknown; retry: boolean };
        // A retry is the server's to schedule: here the job simply ends, with what was asked recorded.
        Object.assign(job, { state: 'failed', error, retry });
        delete job.token;
        return json(200, { id: job.id, status: job.state });
      }
      case 'release':
        job.state = 'queued';
        job.attempt -= 1;
        delete job.token;
        return json(200, { id: job.id, status: 'queued' });
    }
    return refused(404, 'not_found');
  }

  async #claim({ max_jobs, wait_seconds }: { max_jobs: number; wait_seconds: number }, signal?: AbortSignal) {
    const deadline = Date.now() + wait_seconds * 1000;
    for (;;) {
      const taken = [...this.jobs.values()].filter((j) => j.state === 'queued').slice(0, max_jobs);
      if (taken.length > 0 || Date.now() >= deadline) {
        return json(200, {
          jobs: taken.map((job) => {
            job.attempt += 1;
            job.state = 'running';
            job.token = `t-${job.id}-${job.attempt}`;
            return {
              ref: `default:${job.id}`,
              lease_token: job.token,
              lease_expires_at: new Date(Date.now() + 2000).toISOString(),
              tenant: 'default',
              job: {
                id: job.id,
                type: job.type,
                input: job.input,
                attempt: job.attempt,
                max_attempts: 3,
                metadata: {},
                queue: job.type,
              },
            };
          }),
        });
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
        });
      });
    }
  }
}
