import { describe, expect, it } from 'vitest';
import { backoffMs, MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/internal/backoff.js';

describe('backoffMs', () => {
  it('doubles from 250 ms up to 15 s, keeping the upper half at random', () => {
    const low = (n: number) => backoffMs(n, { random: () => 0 });
    const high = (n: number) => backoffMs(n, { random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(low)).toEqual([125, 250, 500, 1000, 2000, 4000, 7500, 7500]);
    expect(high(0)).toBeCloseTo(250, 0);
    expect(high(6)).toBeCloseTo(15_000, 0);
    expect(high(1000)).toBeCloseTo(15_000, 0);
  });

  it('spreads workers that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => Math.round(backoffMs(4))));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 2000 && d <= 4000).toBe(true);
  });
});

describe('retryAfterMs', () => {
  const h = (value: string) => new Headers({ 'retry-after': value });

  it('reads seconds and HTTP dates, and caps them', () => {
    expect(retryAfterMs(h('3'))).toBe(3000);
    expect(retryAfterMs(h('0.5'))).toBe(500);
    expect(retryAfterMs(h(new Date(10_000).toUTCString()), 4_000)).toBe(6000);
    expect(retryAfterMs(h('86400'))).toBe(MAX_RETRY_AFTER_MS);
  });

  it('is undefined when absent or unusable', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
    expect(retryAfterMs(h('soon'))).toBeUndefined();
  });
});
