import { expect } from 'vitest';
import type { WorkerPool } from '../../src/worker/pool.js';

/** Worker pools the tests made, by hand or inside an app. */
const watched = new Set<WorkerPool>();

/** Remember `pool` so that {@link expectNoPoolRunning} checks it was stopped; returns it. */
export function watchPool<P extends WorkerPool | null>(pool: P): P {
  if (pool) watched.add(pool);
  return pool;
}

/**
 * Fail when a remembered pool is still running or still has jobs (it would
 * leak jobs into the next test); then forget them all.
 */
export function expectNoPoolRunning(): void {
  const running = [...watched].filter((pool) => pool.started || pool.active > 0).length;
  watched.clear();
  expect(running, 'a worker pool was left running').toBe(0);
}
