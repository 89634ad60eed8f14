import { describe, expect, it } from 'vitest';
import { type HintedJob, pollAfterMs } from '../../src/jobs/hints.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function job(patch: Partial<HintedJob>): HintedJob {
  return { status: 'running', created_at: iso(0), started_at: iso(0), eta: null, ...patch };
}

describe('pollAfterMs', () => {
  it('gives no hint for an ended job', () => {
    expect(pollAfterMs(job({ status: 'completed' }), T0)).toBeNull();
  });

  it('sends a short job straight to its eta', () => {
    expect(pollAfterMs(job({ eta: iso(2000) }), T0 + 100)).toBe(1900);
    expect(pollAfterMs(job({ eta: iso(500) }), T0 + 100)).toBe(400);
  });

  it('steps toward a far eta no longer than the job has run (at least 2 s), so an early failure is heard', () => {
    const long = job({ eta: iso(600_000) });
    expect(pollAfterMs(long, T0 + 100)).toBe(2000);
    expect(pollAfterMs(long, T0 + 8000)).toBe(8000);
    expect(pollAfterMs(long, T0 + 400_000)).toBe(30_000);
    // A 30-s job is asked about at 0.1, 2.1, 4.2, 8.4, 16.8 s and at its eta: six requests.
    const thirty = job({ eta: iso(30_000) });
    const asked = [100];
    while (asked.at(-1)! < 30_000) asked.push(asked.at(-1)! + pollAfterMs(thirty, T0 + asked.at(-1)!)!);
    expect(asked).toEqual([100, 2100, 4200, 8400, 16_800, 30_000]);
  });

  it('past the eta, or without one, asks again after a tenth of the time run, with floors', () => {
    expect(pollAfterMs(job({ eta: iso(1000) }), T0 + 1100)).toBe(50);
    expect(pollAfterMs(job({ eta: null }), T0 + 10_000)).toBe(1000);
    expect(pollAfterMs(job({ status: 'queued', started_at: null }), T0 + 5000)).toBe(500);
  });
});
