import { type CoreOptions, HttpCore } from './core.js';
import { JobFailedError } from './errors/job-failed-error.js';
import { Files } from './resources/files.js';
import { type CreateOptions, Jobs } from './resources/jobs.js';
import { Queues } from './resources/queues.js';
import type { CreateJobParams, Job } from './types.js';
import type { WaitOptions } from './wait.js';

export interface ClientOptions extends CoreOptions {
  /**
   * Sent as `Authorization: Bearer <key>` when the server has API keys.
   * @default undefined (no key: a server without keys on loopback)
   */
  apiKey?: string | undefined;
}

export type RunOptions = WaitOptions &
  CreateOptions &
  Pick<
    CreateJobParams,
    'id' | 'max_attempts' | 'metadata' | 'queue' | 'priority' | 'run_at' | 'run_in_seconds'
  >;

/**
 * The longrun client.
 *
 * ```ts
 * const client = new Longrun({ baseUrl: 'http://127.0.0.1:8000' });
 * const job = await client.run('simulate', { duration_seconds: 3, error_rate: 0 });
 * ```
 */
export class Longrun {
  readonly jobs: Jobs;
  readonly queues: Queues;
  readonly files: Files;
  readonly baseUrl: string;
  readonly #core: HttpCore;

  constructor({ apiKey, headers, ...options }: ClientOptions) {
    this.#core = new HttpCore({
      ...options,
      headers: { ...headers, ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    });
    this.baseUrl = this.#core.baseUrl;
    this.jobs = new Jobs(this.#core);
    this.queues = new Queues(this.#core);
    this.files = new Files(this.#core);
  }

  /**
   * Create a job and wait for it to end. Resolves with the completed job;
   * throws `JobFailedError` when it fails or is canceled.
   */
  async run(type: string, input: Record<string, unknown> = {}, options: RunOptions = {}): Promise<Job> {
    const {
      id,
      max_attempts,
      metadata,
      queue,
      priority,
      run_at,
      run_in_seconds,
      idempotencyKey,
      ...waitOptions
    } = options;
    const job = await this.jobs.create(
      { type, input, ...defined({ id, max_attempts, metadata, queue, priority, run_at, run_in_seconds }) },
      { idempotencyKey, signal: options.signal },
    );
    const done = await this.jobs.wait(job, waitOptions);
    if (done.status !== 'completed') throw new JobFailedError(done);
    return done;
  }
}

/** The fields that are set: the body of a request leaves the others out. */
function defined<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
