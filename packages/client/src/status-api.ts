import { type CoreOptions, HttpCore } from './core.js';
import { UnknownStatusError } from './errors/unknown-status-error.js';
import { retryAfterMs } from './internal/retry-after.js';
import { poll } from './poll.js';

export type StatusResult = 'pending' | 'completed' | 'error';

/** The client's options but `headers`, which the status routes have no use for. */
export interface StatusApiClientOptions extends Omit<CoreOptions, 'baseUrl' | 'headers'> {
  /** The status server, e.g. `http://127.0.0.1:8000` (longrun's compatibility routes). */
  baseUrl: string;
}

export interface WaitForResultOptions {
  /**
   * Give up with `WaitTimeoutError` after this many ms.
   * @default 3_600_000 (one hour)
   */
  timeoutMs?: number | undefined;
  /** Stops the wait with `APIUserAbortError`. @default undefined */
  signal?: AbortSignal | undefined;
  /** Called with every status read. @default undefined */
  onStatus?: ((result: StatusResult) => void) | undefined;
}

const RESULTS: readonly string[] = ['pending', 'completed', 'error'];

/**
 * A client of the plain status API (`POST /submit/{id}`, `GET /status/{id}` ->
 * `{"result"}`): longrun's compatibility routes, or the original simulator.
 * It waits with the adaptive poller, following the server's hints when it sends them;
 * a wait keeps trying past `maxRetries` until its deadline.
 */
export class StatusApiClient {
  readonly #core: HttpCore;

  constructor(options: StatusApiClientOptions) {
    this.#core = new HttpCore(options);
  }

  /** Start a job that takes `delaySeconds`. */
  async submit(
    jobId: string,
    { delaySeconds, signal }: { delaySeconds?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.#core.request(
      {
        method: 'POST',
        path: `/submit/${encodeURIComponent(jobId)}`,
        body: new URLSearchParams(delaySeconds === undefined ? {} : { delay_seconds: String(delaySeconds) }),
        headers: { accept: 'text/plain, application/json' },
        signal,
      },
      (r) => r.text(),
    );
  }

  /** One status read. */
  status(jobId: string, { signal }: { signal?: AbortSignal } = {}): Promise<StatusResult> {
    return this.#read(jobId, signal, undefined).then((s) => s.result);
  }

  /**
   * Poll until the result is `completed` or `error` and return it. An `error`
   * result is returned, not thrown: it is the status API's answer.
   */
  async waitForResult(
    jobId: string,
    { timeoutMs = 3_600_000, signal, onStatus }: WaitForResultOptions = {},
  ): Promise<{ result: StatusResult }> {
    const { result } = await poll({
      fetchStatus: ({ deadline }) => this.#read(jobId, signal, deadline),
      isDone: (s) => s.result !== 'pending',
      hint: (s) => ({ afterMs: s.afterMs }),
      onValue: (s) => onStatus?.(s.result),
      timeoutMs,
      signal,
    });
    return { result };
  }

  #read(jobId: string, signal: AbortSignal | undefined, deadline: number | undefined) {
    return this.#core.request(
      { path: `/status/${encodeURIComponent(jobId)}`, signal, deadline },
      async (r) => {
        const body = (await r.json()) as { result?: unknown } | null;
        const result = body?.result;
        if (typeof result !== 'string' || !RESULTS.includes(result)) throw new UnknownStatusError(result);
        return { result: result as StatusResult, afterMs: retryAfterMs(r.headers) };
      },
    );
  }
}
