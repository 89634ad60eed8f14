import { performance } from 'node:perf_hooks';

/**
 * What runs before a measurement: at least `jobs` jobs, and at least
 * `seconds` of them. A Node process compiles its hot code in its first
 * seconds under load, and until then spends its CPU on V8's optimizing
 * compiler as much as on jobs: a count of jobs alone, a second's worth or
 * two, measured every system while it compiled (see throughput.ts).
 */
export interface Warmup {
  jobs: number;
  seconds: number;
}

/** Call `turn` (it runs some jobs and says how many) until both of `warmup`'s minimums are met. */
export async function warmUp(warmup: Warmup, turn: () => Promise<number>): Promise<void> {
  const started = performance.now();
  let jobs = 0;
  do jobs += await turn();
  while (jobs < warmup.jobs || performance.now() - started < warmup.seconds * 1000);
}

/** The warm-up as the method of a scenario states it. */
export function warmupText({ jobs, seconds }: Warmup): string {
  return `at least ${jobs} jobs${seconds > 0 ? ` and ${seconds} s` : ''}`;
}
