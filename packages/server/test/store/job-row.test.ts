import { describe, expect, it } from 'vitest';
import { iso } from '../../src/store/job-row.js';

describe('iso', () => {
  it('formats each time as its own, however the times kept for reuse come and go', () => {
    const base = Date.UTC(2026, 0, 1);
    const times = [0, 1, 2, 2, 0, 3, 4, 5, 6, 1, 0, 7, 7, 6].map((n) => base + n * 1001);
    expect(times.map((ms) => iso(ms))).toEqual(times.map((ms) => new Date(ms).toISOString()));
    expect(iso(null)).toBeNull();
  });
});
