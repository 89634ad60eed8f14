import { randomUUID } from 'node:crypto';
import { publicJob, type StoredJob } from '../jobs/model.js';
import type { DeliveryAttempt, DeliveryStatus, WebhookDelivery } from '../webhooks/model.js';
import type { WebhookEvent, WebhookSpec } from '../webhooks/spec.js';
import { cleanText } from './clean-text.js';
import { type JobRow, LIST_FIELD_MAX_BYTES, toJob } from './job-row.js';

/**
 * The webhook outbox as both stores keep it: which events a change writes
 * to it, the delivery rows, and their history.
 */

/** How many attempts a delivery keeps in its history (the newest). */
export const DELIVERY_HISTORY = 20;

/** A new `webhook-id`. */
export function newDeliveryId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The events a change from `row` to `next` announces to the job's webhook, if it asks for them. */
export function webhookEventsOf(row: JobRow, next: JobRow): WebhookEvent[] {
  if (next.webhook === null) return [];
  const wanted = (JSON.parse(next.webhook) as WebhookSpec).events;
  const events: WebhookEvent[] = [];
  if (next.status !== row.status) {
    if (next.status === 'running') events.push('job.started');
    else if (next.status === 'completed') events.push('job.completed');
    else if (next.status === 'failed') events.push('job.failed');
    else if (next.status === 'canceled') events.push('job.canceled');
  } else if (next.status === 'running' && next.progress !== row.progress) {
    events.push('job.progress');
  }
  return events.filter((e) => wanted.includes(e));
}

/** The webhook URL of a row that has one. */
export function webhookUrl(row: Pick<JobRow, 'webhook'>): string {
  return (JSON.parse(row.webhook!) as WebhookSpec).url;
}

/**
 * The row a change writes, as the delivery keeps it: the version it gets, no
 * lease, and an input longer than {@link LIST_FIELD_MAX_BYTES} left out as a
 * list leaves it (`{"$omitted": <bytes>}`). Every started, progress and final
 * event of a job writes a delivery, and the dispatcher holds dozens at once:
 * a megabyte input copied into each would cost the outbox and the receiver
 * a megabyte per event, for a field the receiver sent itself.
 */
export function snapshotOf(next: JobRow): string {
  const { lease_token: _t, lease_owner: _o, lease_expires_at: _e, input, ...rest } = next;
  // Characters first: a string longer than the limit in characters is longer in bytes too. A row
  // read without its long input (SQLite's JOB_COLUMNS) has its length.
  const bytes =
    input === null
      ? Number(next.input_bytes ?? 0)
      : input.length > LIST_FIELD_MAX_BYTES
        ? Buffer.byteLength(input)
        : 0;
  const kept = bytes > LIST_FIELD_MAX_BYTES ? { input: null, input_bytes: bytes } : { input };
  return JSON.stringify({ ...rest, ...kept, version: next.version + 1 });
}

/**
 * A job snapshot back from the outbox. Written by JS it holds JSON columns as
 * text; written by SQL (`row_to_json`) as nested JSON: both read alike.
 */
function snapshotJob(text: string): StoredJob {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const col of ['input', 'output', 'logs_tail', 'metadata', 'webhook']) {
    const v = raw[col];
    if (v !== null && v !== undefined && typeof v !== 'string') raw[col] = JSON.stringify(v);
  }
  return toJob({ lease_owner: null, lease_token: null, lease_expires_at: null, ...raw } as JobRow, null);
}

/** A delivery as both stores keep it, with its job's tenant and id. */
export interface DeliveryRow {
  id: string;
  job_seq: number;
  tenant: string;
  job_id: string;
  event: string;
  url: string;
  job: string;
  created_at: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  history: string;
  lease_token: string | null;
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  const job = snapshotJob(row.job);
  return {
    id: row.id,
    tenant: row.tenant,
    job_id: row.job_id,
    event: row.event as WebhookEvent,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    created_at: row.created_at,
    next_attempt_at: row.status === 'pending' ? row.next_attempt_at : null,
    last_status: row.last_status,
    last_error: row.last_error,
    history: JSON.parse(row.history) as DeliveryAttempt[],
    job: publicJob(job),
    format: job.webhook?.format ?? null,
  };
}

/** The history with `attempt` added, keeping the newest {@link DELIVERY_HISTORY}. */
export function appendHistory(history: string, attempt: DeliveryAttempt): string {
  const all = (JSON.parse(history) as DeliveryAttempt[]).concat(attempt);
  return JSON.stringify(all.slice(-DELIVERY_HISTORY));
}

/** An error text as a delivery keeps it. */
export function deliveryError(error: string | null): string | null {
  return error === null ? null : cleanText(error).slice(0, 500);
}
