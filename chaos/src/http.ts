import { setTimeout as sleep } from 'node:timers/promises';

/** One answer of the API, its body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are checked field by field by the scenarios.
  body: any;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Abort the request after this long. @default 30000 */
  timeoutMs?: number;
}

/** One request, no retries: the scenarios count every answer, 5xx included. */
export async function call(
  base: string,
  method: string,
  path: string,
  { body, headers = {}, timeoutMs = 30_000 }: CallOptions = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // Left as text: a scenario that expects JSON reports the malformed body.
    }
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Counts of what the harness saw, for the table. */
export class Tally {
  /** 5xx answers no fault explains (an internal error, or a 503 outside any outage). */
  unexpected5xx = 0;
  /** 503 answers while a fault was on, as they should be. */
  expected503 = 0;
  connectionErrors = 0;
  readonly samples: string[] = [];

  /** Count an answer; `faulty` says whether a 503 is acceptable now. */
  see(answer: Answer, what: string, faulty = false): void {
    if (answer.status < 500) return;
    if (answer.status === 503 && faulty) {
      this.expected503 += 1;
      return;
    }
    this.unexpected5xx += 1;
    if (this.samples.length < 5) this.samples.push(`${what}: ${answer.status} ${answer.text.slice(0, 200)}`);
  }
}

/**
 * Submit a job with an Idempotency-Key, retrying connection errors and 5xx
 * until the deadline, as a careful client does: the same key never makes two jobs.
 */
export async function submit(
  base: string | (() => string),
  body: unknown,
  {
    key,
    deadline,
    tally,
    faulty = () => false,
    headers = {},
  }: {
    key: string;
    deadline: number;
    tally?: Tally;
    faulty?: () => boolean;
    headers?: Record<string, string>;
  },
): Promise<string> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const url = typeof base === 'string' ? base : base();
      const r = await call(url, 'POST', '/v1/jobs', {
        body,
        headers: { 'idempotency-key': key, ...headers },
      });
      tally?.see(r, `POST /v1/jobs (${key})`, faulty());
      if (r.status === 202 || r.status === 200) return r.body.id as string;
      if (r.status < 500) throw new SubmitRefused(`submit ${key}: ${r.status} ${r.text.slice(0, 300)}`);
      last = `status ${r.status}`;
    } catch (err) {
      if (err instanceof SubmitRefused) throw err;
      if (tally) tally.connectionErrors += 1;
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`submit ${key} kept failing until the deadline: ${last}`);
}

class SubmitRefused extends Error {
  override name = 'SubmitRefused';
}

/** GET that retries connection errors and 5xx until the deadline (for checks after a fault). */
export async function getWithRetry(base: string, path: string, deadline: number): Promise<Answer> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await call(base, 'GET', path);
      if (r.status < 500) return r;
      last = `status ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`GET ${path} kept failing until the deadline: ${last}`);
}

/** Poll until `check` returns a value other than null/false, or throw at the deadline. */
export async function until<T>(
  what: string,
  check: () => Promise<T | null | false | undefined>,
  { deadline, intervalMs = 100 }: { deadline: number; intervalMs?: number },
): Promise<T> {
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== null && v !== false && v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `timed out waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`,
  );
}
