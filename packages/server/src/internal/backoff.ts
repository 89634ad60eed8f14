/**
 * `ms` times a random factor between `from` and `to`, rounded to a whole ms,
 * so that things that failed together do not come back together.
 */
export function jitter(
  ms: number,
  { from, to, random = Math.random }: { from: number; to: number; random?: (() => number) | undefined },
): number {
  return Math.round(ms * (from + (to - from) * random()));
}

/**
 * The wait before trying again after `step` + 1 failures in a row:
 * `baseMs` doubled `step` times, capped at `maxMs`, with "equal jitter"
 * (half of it fixed, half random).
 */
export function backoff(
  step: number,
  {
    baseMs,
    maxMs,
    random = Math.random,
  }: { baseMs: number; maxMs: number; random?: (() => number) | undefined },
): number {
  return jitter(Math.min(maxMs, baseMs * 2 ** Math.max(0, step)), { from: 0.5, to: 1, random });
}
