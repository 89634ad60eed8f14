import { type Logger, silentLogger } from '../internal/logger.js';
import type { JobService } from '../jobs/service.js';
import { deadLocalOwners } from './owner.js';

export interface MaintenanceOptions {
  service: JobService;
  /** How often to look for expired leases and old jobs. */
  intervalMs: number;
  /** The local pool's own lease owner, never treated as dead. */
  self?: string;
  /** This node's name in lease owners: only owners on this node can be found dead early. */
  node: string;
  /** Terminal jobs older than this are deleted with their artifacts; 0 keeps them. */
  retentionMs: number;
  /** Uploaded files past their `expires_at` are deleted. @default none kept */
  files?: { expire(now?: number): Promise<number> };
  logger?: Logger;
}

/**
 * The periodic chores that keep the queue honest: running jobs whose lease
 * expired (or whose process on this host is gone) go back to the queue, and
 * terminal jobs past retention are deleted, and so are uploaded files past
 * theirs. Safe to run on every node.
 */
export class Maintenance {
  readonly #service: JobService;
  readonly #intervalMs: number;
  readonly #self: string;
  readonly #node: string;
  readonly #retentionMs: number;
  readonly #files: MaintenanceOptions['files'];
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> = Promise.resolve();

  constructor({
    service,
    intervalMs,
    self = '',
    node,
    retentionMs,
    files,
    logger = silentLogger,
  }: MaintenanceOptions) {
    this.#files = files;
    this.#service = service;
    this.#intervalMs = intervalMs;
    this.#self = self;
    this.#node = node;
    this.#retentionMs = retentionMs;
    this.#log = logger;
  }

  /** Run once now (crash recovery at start), then every interval. */
  async start(): Promise<void> {
    await this.runOnce();
    this.#timer = setInterval(() => {
      this.#tick = this.#tick
        .then(() => this.runOnce())
        .then(() => undefined)
        .catch((err) => {
          this.#log.error({ err }, 'maintenance failed; trying again at the next interval');
        });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tick;
  }

  async runOnce(): Promise<{ recovered: number; purged: number; expiredFiles: number }> {
    const owners = deadLocalOwners(await this.#service.leaseOwners(), this.#self, this.#node);
    const recovered = await this.#service.recover({ owners });
    if (recovered.length > 0) {
      this.#log.warn({ jobs: recovered.map((j) => j.id) }, 'requeued jobs whose worker was lost');
    }
    let purged = 0;
    if (this.#retentionMs > 0) {
      const cutoff = Date.now() - this.#retentionMs;
      for (;;) {
        const n = await this.#service.purge(cutoff);
        purged += n;
        if (n < 500) break;
      }
    }
    // A file a job still waits for is not kept past its expiry: that job fails with
    // input_fetch_failed, saying the file is gone (docs/api.md, Files).
    const expiredFiles = (await this.#files?.expire()) ?? 0;
    return { recovered: recovered.length, purged, expiredFiles };
  }
}
