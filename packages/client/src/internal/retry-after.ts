/** The longest `Retry-After` obeyed; a longer one falls back to our own backoff. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The server's "come back in" hint in ms, from `Poll-After-Ms`, `Retry-After-Ms`
 * or `Retry-After` (seconds or an HTTP date); undefined when absent or unusable.
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  for (const name of ['poll-after-ms', 'retry-after-ms']) {
    const raw = headers.get(name);
    if (raw !== null && raw.trim() !== '') {
      const ms = Number(raw);
      if (Number.isFinite(ms) && ms >= 0) return ms;
    }
  }
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * The delay before retry number `retry` (0-based): exponential from 0.5 s to
 * 8 s, minus up to a quarter of jitter; the server's hint wins when it is sane.
 */
export function retryDelayMs(retry: number, headers?: Headers, random = Math.random): number {
  const hinted = retryAfterMs(headers);
  if (hinted !== undefined && hinted <= MAX_RETRY_AFTER_MS) return hinted;
  const base = Math.min(8000, 500 * 2 ** retry);
  return base * (1 - 0.25 * random());
}
