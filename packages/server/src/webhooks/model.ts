import type { Job } from '../jobs/model.js';
import type { WebhookEvent, WebhookFormat } from './spec.js';

/** Deliveries: one event for one job's webhook, sent and recorded by the dispatcher through the outbox. */

/** `pending` until sent (or retried), then `delivered`, `failed` (schedule spent) or `stopped` (410 Gone). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'stopped';

/** One request to the receiver. */
export interface DeliveryAttempt {
  /** When it was sent (ms). */
  at: number;
  /** The receiver's HTTP status; null when no response came (refused, timed out). */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** One event for one job's webhook, with every attempt to send it. */
export interface WebhookDelivery {
  /** The `webhook-id`: the same on every attempt. */
  id: string;
  tenant: string;
  job_id: string;
  event: WebhookEvent;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  created_at: number;
  /** When it is due next (ms); null once it is no longer pending. */
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  history: DeliveryAttempt[];
  /** The job as the change left it: the body's `data`. */
  job: Job;
  /** The body's format when it is not the Standard Webhooks event (the job's webhook names it). */
  format: WebhookFormat | null;
}

/** A delivery a dispatcher holds: only the holder of `token` can record its outcome. */
export interface DeliveryLease {
  delivery: WebhookDelivery;
  token: string;
}

/**
 * What one attempt came to: `delivered` (2xx), `retry` at `nextAttemptAt`,
 * `failed` (no retry left), or `gone` (410: nothing more goes to that URL for that job).
 */
export type DeliveryOutcome =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; nextAttemptAt: number }
  | { outcome: 'failed' }
  | { outcome: 'gone' };

/** Writes the body of a delivery whose webhook names a format (see `WebhookFormat`). */
export type WebhookRenderer = (delivery: WebhookDelivery) => Promise<string> | string;
