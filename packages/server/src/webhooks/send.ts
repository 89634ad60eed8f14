import http from 'node:http';
import https from 'node:https';
import { type AddressPolicy, connectOptions } from '../net/ssrf.js';

export interface SendResult {
  /** The receiver's status; null when no response came. */
  status: number | null;
  /** Retry-After in ms, when the response had one. */
  retryAfterMs: number | null;
  error: string | null;
  durationMs: number;
}

/** Bytes of a receiver's reply that are read (and thrown away) before the connection is let go. */
const MAX_REPLY = 64 * 1024;

/**
 * POST one webhook. Only addresses the policy allows are connected to (the
 * SSRF guard checks every resolved address); redirects are not followed (a
 * 3xx is a failed attempt); the whole exchange is cut off after `timeoutMs`.
 * Never throws: every failure is a result.
 */
export function sendWebhook({
  url,
  body,
  headers,
  timeoutMs,
  policy,
  signal,
}: {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  policy: AddressPolicy;
  signal?: AbortSignal | undefined;
}): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const fail = (error: string) => finish({ status: null, retryAfterMs: null, error });
    let target: URL;
    let options: ReturnType<typeof connectOptions>;
    try {
      target = new URL(url);
      options = connectOptions(target, policy);
    } catch (err) {
      fail((err as Error).message);
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...options,
      ...(signal ? { signal } : {}),
    });
    timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => fail(err.message));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_REPLY) res.destroy();
      });
      const done = () =>
        finish({
          status,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
          error:
            status >= 200 && status < 300
              ? null
              : status >= 300 && status < 400
                ? `HTTP ${status}: redirects are not followed`
                : `HTTP ${status}`,
        });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(body);
  });
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}
