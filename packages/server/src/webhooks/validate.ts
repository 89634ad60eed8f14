import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ApiError } from '../errors.js';
import { type AddressPolicy, checkAddress, UrlNotAllowedError } from '../net/ssrf.js';
import {
  DEFAULT_WEBHOOK_EVENTS,
  isWebhookEvent,
  type WebhookEvent,
  type WebhookFormat,
  type WebhookSpec,
} from './spec.js';

/** What a caller may send as `webhook` (`format` only from a route that renders its own body). */
export interface WebhookParam {
  url: string;
  events?: string[] | undefined;
  format?: WebhookFormat | undefined;
}

/**
 * A job's webhook, checked when the job is made: an http(s) URL whose host
 * does not resolve to a private address (unless the policy allows it), and
 * known events (the terminal three when none are named). A name that does not
 * resolve yet is accepted: each delivery checks the address again anyway.
 */
export async function checkWebhook(param: WebhookParam, policy: AddressPolicy): Promise<WebhookSpec> {
  let url: URL;
  try {
    url = new URL(param.url);
  } catch {
    throw new ApiError('invalid_webhook', { message: `webhook.url "${param.url}" is not a URL.` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError('invalid_webhook', { message: 'webhook.url must be an http:// or https:// URL.' });
  }
  const events = param.events ?? [...DEFAULT_WEBHOOK_EVENTS];
  const unknown = events.filter((e) => !isWebhookEvent(e));
  if (unknown.length > 0 || events.length === 0) {
    throw new ApiError('invalid_webhook', {
      message: `webhook.events must name one or more of job.started, job.progress, job.completed, job.failed, job.canceled; got ${JSON.stringify(unknown.length > 0 ? unknown : events)}.`,
    });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  try {
    if (isIP(host) !== 0) checkAddress(url.hostname, host, policy);
    else if (!policy.allowPrivate) {
      const addresses = await lookup(host, { all: true }).catch(() => []);
      for (const { address } of addresses) checkAddress(url.hostname, address, policy);
    }
  } catch (err) {
    if (err instanceof UrlNotAllowedError) {
      throw new ApiError('webhook_url_not_allowed', { message: err.message });
    }
    throw err;
  }
  const spec: WebhookSpec = { url: url.href, events: [...new Set(events)] as WebhookEvent[] };
  if (param.format) spec.format = param.format;
  return spec;
}
