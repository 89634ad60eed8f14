import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/internal/sleep.js';
import type { ProgressPatch } from '../../src/store/store.js';
import { ProgressReporter } from '../../src/worker/reporter.js';

describe('ProgressReporter', () => {
  it('keeps one write in flight against a slow store, folding what comes meanwhile into the next', async () => {
    const writes: ProgressPatch[] = [];
    let inFlight = 0;
    let most = 0;
    const reporter = new ProgressReporter({
      intervalMs: 10,
      onError: (err) => {
        throw err;
      },
      write: async (patch) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        writes.push(patch);
        await sleep(150);
        inFlight -= 1;
      },
    });
    for (let i = 1; i <= 40; i++) {
      reporter.add({ progress: i, logs: [`line ${i}`] });
      await sleep(10);
    }
    const before = writes.length;
    const rest = await reporter.close();
    // Closing waits for the one write in flight and starts none: the rest goes back to the caller.
    expect(writes.length).toBe(before);
    expect(inFlight).toBe(0);
    expect(most).toBe(1);
    expect(writes.length).toBeLessThanOrEqual(5);
    const lines = [...writes.flatMap((w) => w.logs ?? []), ...(rest.logs ?? [])];
    expect(lines).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 1}`));
    expect(Math.max(...writes.map((w) => w.progress ?? 0), rest.progress ?? 0)).toBe(40);
  });

  it('asks for the interval at each write, so the pool can stretch it under load', async () => {
    const at: number[] = [];
    const progress: (number | undefined)[] = [];
    let interval = 10;
    const reporter = new ProgressReporter({
      intervalMs: () => interval,
      onError: () => {},
      write: async (patch) => {
        at.push(Date.now());
        progress.push(patch.progress);
      },
    });
    reporter.add({ progress: 1 });
    await sleep(30);
    interval = 200;
    reporter.add({ progress: 2 });
    await sleep(20);
    reporter.add({ progress: 3 });
    await sleep(250);
    await reporter.close();
    // The second write waits the new interval, and carries the third report with it.
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(190);
    expect(progress).toEqual([1, 3]);
  });
});
