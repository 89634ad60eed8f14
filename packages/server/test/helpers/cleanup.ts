import { afterAll, afterEach } from 'vitest';
import { expectNoPoolRunning } from './pools.js';

type Cleanup = () => unknown;

const afterTest: Cleanup[] = [];
const afterFile: Cleanup[] = [];
let hooked = false;

/**
 * Registers the hooks of a test file that starts servers, receivers or pools, or makes
 * temporary dirs: after each test, what the test opened is closed (last opened first)
 * and the test fails if a worker pool was left running, since it would leak jobs into
 * the next one; when the file ends, its dirs are removed. Call it once, at the top
 * level of the file. The helpers that open things refuse to before it is called, so
 * that nothing is opened without being closed.
 */
export function useCleanup(): void {
  hooked = true;
  afterEach(async () => {
    for (const cleanup of afterTest.splice(0).reverse()) await cleanup();
    expectNoPoolRunning();
  });
  afterAll(async () => {
    for (const cleanup of afterFile.splice(0).reverse()) await cleanup();
  });
}

function expectHooked(): void {
  if (!hooked) throw new Error('call useCleanup() at the top of the test file before opening anything');
}

/** Runs `cleanup` after the current test, whatever the test did. */
export function afterThisTest(cleanup: Cleanup): void {
  expectHooked();
  afterTest.push(cleanup);
}

/** Runs `cleanup` when the test file ends. */
export function afterThisFile(cleanup: Cleanup): void {
  expectHooked();
  afterFile.push(cleanup);
}
