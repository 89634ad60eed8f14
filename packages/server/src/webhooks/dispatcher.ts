import { setMaxListeners } from 'node:events';
import { type Logger, silentLogger } from '../internal/logger.js';
import type { AddressPolicy } from '../net/ssrf.js';
import { iso } from '../store/job-row.js';
import type { JobStore } from '../store/store.js';
import type { DeliveryLease, DeliveryOutcome, WebhookDelivery, WebhookRenderer } from './model.js';
import { outcomeOf } from './outcome.js';
import { sendWebhook } from './send.js';
import { signatureHeader, type WebhookSecrets } from './signing.js';

export interface WebhookDispatcherOptions {
  store: JobStore;
  secrets: WebhookSecrets;
  /** Delays before each retry; its length is the number of retries. */
  schedule: readonly number[];
  /** How long one delivery request may take. */
  timeoutMs: number;
  /** How often to look for deliveries other processes wrote. */
  pollIntervalMs: number;
  /** Requests in flight at once. @default 64 */
  concurrency?: number;
  /** Which addresses receivers may have. @default public ones only */
  policy?: AddressPolicy;
  logger?: Logger | undefined;
  /** Told of every attempt's outcome (metrics). */
  onAttempt?: ((event: string, outcome: DeliveryOutcome['outcome']) => void) | undefined;
  /** The bodies other than the Standard Webhooks event that jobs may name, by name. @default none */
  formats?: ReadonlyMap<string, WebhookRenderer>;
}

/**
 * Sends the outbox. Each process may run one: deliveries are claimed from the
 * store under a lease, so dispatchers on many nodes never send the same one at
 * once, and one that dies mid-request only delays its deliveries until the
 * lease ends. At least once: the outcome is recorded after the request, so a
 * crash in between sends it again, with the same `webhook-id`.
 */
export class WebhookDispatcher {
  readonly #store: JobStore;
  readonly #secrets: WebhookSecrets;
  readonly #schedule: readonly number[];
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #policy: AddressPolicy;
  readonly #log: Logger;
  readonly #onAttempt: WebhookDispatcherOptions['onAttempt'];
  readonly #formats: ReadonlyMap<string, WebhookRenderer>;
  readonly #inflight = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  #wake: (() => void) | null = null;
  #kicked = false;
  #loop: Promise<void> | null = null;

  constructor({
    store,
    secrets,
    schedule,
    timeoutMs,
    pollIntervalMs,
    concurrency = 64,
    policy = {},
    logger = silentLogger,
    onAttempt,
    formats = new Map(),
  }: WebhookDispatcherOptions) {
    this.#onAttempt = onAttempt;
    this.#formats = formats;
    this.#store = store;
    this.#secrets = secrets;
    this.#schedule = schedule;
    this.#timeoutMs = timeoutMs;
    this.#pollMs = pollIntervalMs;
    this.#concurrency = concurrency;
    this.#policy = policy;
    this.#log = logger;
    // Every request in flight listens on it.
    setMaxListeners(concurrency + 10, this.#stop.signal);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Look for due deliveries now (a change here wrote some). */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** Stop claiming and cut requests in flight; their deliveries go again when their lease ends. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#inflight]);
  }

  /** Long enough for the request to time out and its outcome to be written. */
  get #leaseMs(): number {
    return 2 * this.#timeoutMs + 1000;
  }

  async #run(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      this.#kicked = false;
      const free = this.#concurrency - this.#inflight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const leases = await this.#store.claimDeliveries({ leaseMs: this.#leaseMs, limit: free });
          claimed = leases.length;
          for (const lease of leases) this.#track(this.#deliver(lease));
        } catch (err) {
          this.#log.error({ err }, 'could not claim webhook deliveries; trying again shortly');
        }
        if (claimed === free) continue;
      }
      let waitMs = this.#pollMs;
      if (free > 0) {
        try {
          const next = await this.#store.nextDeliveryAt();
          if (next !== null) waitMs = Math.min(waitMs, Math.max(5, next - Date.now()));
        } catch {
          // The store is unreachable: the claim above logged it; look again after the interval.
        }
      }
      if (this.#kicked || this.#stop.signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = null;
    }
  }

  #track(delivery: Promise<void>): void {
    const p = delivery.catch((err: unknown) => {
      // Its lease runs out and it is sent again; the loop must not die of it.
      this.#log.error({ err }, 'a webhook delivery failed unexpectedly');
    });
    this.#inflight.add(p);
    void p.finally(() => {
      this.#inflight.delete(p);
      this.#wake?.();
    });
  }

  async #deliver({ delivery, token }: DeliveryLease): Promise<void> {
    const keys = this.#secrets.keysFor(delivery.tenant);
    const sentAt = Date.now();
    const refused = (error: string) => ({ status: null, retryAfterMs: null, error, durationMs: 0 });
    const body = await this.#body(delivery);
    const result =
      body === null
        ? refused(`this server has no webhook format "${delivery.format?.name}"`)
        : keys.length === 0 && delivery.format === null
          ? refused('no webhook secret is configured for this tenant')
          : await sendWebhook({
              url: delivery.url,
              body,
              headers: {
                'content-type': 'application/json',
                'user-agent': 'longrun-webhooks',
                'webhook-id': delivery.id,
                'webhook-timestamp': String(Math.floor(sentAt / 1000)),
                ...(keys.length === 0
                  ? {}
                  : {
                      'webhook-signature': signatureHeader({
                        id: delivery.id,
                        timestamp: Math.floor(sentAt / 1000),
                        body,
                        keys,
                      }),
                    }),
              },
              timeoutMs: this.#timeoutMs,
              policy: this.#policy,
              signal: this.#stop.signal,
            });
    // Cut short by stop(): record nothing, so the delivery goes again after its lease.
    if (this.#stop.signal.aborted && result.status === null) return;
    const attempts = delivery.attempts + 1;
    const outcome = outcomeOf({
      status: result.status,
      retryAfterMs: result.retryAfterMs,
      attempts,
      schedule: this.#schedule,
      now: Date.now(),
    });
    try {
      await this.#store.recordDelivery(
        token,
        { at: sentAt, status_code: result.status, error: result.error, duration_ms: result.durationMs },
        outcome,
      );
    } catch (err) {
      this.#log.error(
        { err, delivery: delivery.id },
        'could not record a webhook attempt; it will be sent again',
      );
    }
    this.#onAttempt?.(delivery.event, outcome.outcome);
    if (outcome.outcome !== 'delivered') {
      this.#log.warn(
        { delivery: delivery.id, job: delivery.job_id, attempts, status: result.status, error: result.error },
        `webhook ${delivery.event} not delivered: ${outcome.outcome}`,
      );
    }
  }

  /** The body: the Standard Webhooks event, or the format the job's webhook names (null: none such here). */
  async #body(delivery: WebhookDelivery): Promise<string | null> {
    if (delivery.format === null) {
      return JSON.stringify({
        type: delivery.event,
        timestamp: iso(delivery.created_at),
        data: delivery.job,
      });
    }
    const render = this.#formats.get(delivery.format.name);
    return render ? await render(delivery) : null;
  }
}
