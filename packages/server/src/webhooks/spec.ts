/** The events a job's webhook can ask for, as sent in the body's `type`. */
export const WEBHOOK_EVENTS = Object.freeze([
  'job.started',
  'job.progress',
  'job.completed',
  'job.failed',
  'job.canceled',
] as const);

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The events a webhook gets when it names none: how the job ended. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = Object.freeze([
  'job.completed',
  'job.failed',
  'job.canceled',
]);

export function isWebhookEvent(value: unknown): value is WebhookEvent {
  return typeof value === 'string' && (WEBHOOK_EVENTS as readonly string[]).includes(value);
}

/**
 * A body other than the Standard Webhooks event, for a surface that speaks
 * another API: the name of a format the dispatcher was given, and the origin
 * (scheme, host, port) the request came to, against which the body's links are
 * written. Such a webhook is signed when a secret is set and sent unsigned when
 * none is, as the API it serves never signed.
 */
export interface WebhookFormat {
  name: string;
  origin: string;
}

/** Where a job's events go, which ones, and in what body. */
export interface WebhookSpec {
  url: string;
  events: WebhookEvent[];
  /** Absent: the Standard Webhooks event body `{type, timestamp, data}`, always signed. */
  format?: WebhookFormat | undefined;
}
