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

/** Where a job's events go, and which ones. */
export interface WebhookSpec {
  url: string;
  events: WebhookEvent[];
}
