import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/internal/sleep.js';
import type { ProgressPatch } from '../../src/store/store.js';
import { MAX_PENDING_LOG_CHARS, ProgressReporter } from '../../src/worker/reporter.js';

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

  it('holds a bounded tail of log lines while the store does not answer, and says how many it left out', async () => {
    let release!: () => void;
    const writes: ProgressPatch[] = [];
    const reporter = new ProgressReporter({
      intervalMs: 0,
      onError: (err) => {
        throw err;
      },
      write: (patch) => {
        writes.push(patch);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    reporter.add({ logs: ['first'] });
    await sleep(20);
    expect(writes).toHaveLength(1);
    // The store hangs; a chatty processor logs 20 MB meanwhile (lines longer than the store keeps are cut).
    const line = 'x'.repeat(5000);
    for (let i = 0; i < 4000; i++) reporter.add({ logs: [`${i} ${line}`] });
    release();
    const rest = await reporter.close();
    const logs = rest.logs ?? [];
    const chars = logs.reduce((n, l) => n + l.length, 0);
    expect(chars).toBeLessThanOrEqual(MAX_PENDING_LOG_CHARS + 200);
    expect(logs[0]).toMatch(/^\[longrun\] \d+ log lines left out/);
    const dropped = Number(/(\d+) log lines/.exec(logs[0]!)![1]);
    expect(dropped + logs.length - 1).toBe(4000);
    expect(logs.at(-1)!.startsWith('3999 ')).toBe(true);
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
