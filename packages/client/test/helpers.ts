/** A scripted fetch: each call takes the next answer; records what was asked. */
export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export type Answer =
  | Response
  | Error
  | ((call: Call, signal: AbortSignal | undefined) => Promise<Response> | Response);

export function scriptedFetch(answers: Answer[]) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const call: Call = {
      url: String(input),
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined || init.body === null ? undefined : String(init.body),
    };
    calls.push(call);
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`no answer scripted for call ${calls.length}: ${call.url}`);
    if (answer instanceof Error) throw answer;
    if (typeof answer === 'function') return answer(call, init.signal ?? undefined);
    return answer;
  };
  return { fetch, calls };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Never answers; rejects when the request's signal fires, as fetch does. */
export const hang = (_call: Call, signal: AbortSignal | undefined) =>
  new Promise<Response>((_resolve, reject) => {
    signal?.addEventListener('abort', () =>
      reject(signal.reason ?? new DOMException('aborted', 'AbortError')),
    );
  });

export function job(overrides: Record<string, unknown> = {}) {
  return {
    id: 'j1',
    type: 'simulate',
    status: 'running',
    progress: 0,
    stage: null,
    message: null,
    input: {},
    output: null,
    error: null,
    attempt: 1,
    max_attempts: 3,
    queue: 'simulate',
    priority: 0,
    queue_position: null,
    run_at: null,
    eta: null,
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    finished_at: null,
    version: 1,
    logs: [],
    metadata: {},
    ...overrides,
  };
}

/** Retry hints that make retries immediate, so tests do not sleep through backoff. */
export const now = { 'retry-after-ms': '0' };
