import { describe, expect, it } from 'vitest';
import { InternalServerError } from '../src/errors/internal-server-error.js';
import { APIUserAbortError, poll, UnknownStatusError, WaitTimeoutError } from '../src/index.js';
import { nextDelay } from '../src/poll.js';

const fixed = { minIntervalMs: 100, maxIntervalMs: 30_000, lagFraction: 0.1, jitter: 0.2, random: () => 0.5 };

describe('nextDelay', () => {
  it('without hints, sleeps a tenth of the time waited, between the bounds', () => {
    expect(nextDelay(undefined, 0, fixed)).toBe(100);
    expect(nextDelay(undefined, 10_000, fixed)).toBe(1000);
    expect(nextDelay(undefined, 3_600_000, fixed)).toBe(30_000);
  });

  it('spreads unhinted sleeps by the jitter', () => {
    expect(nextDelay(undefined, 10_000, { ...fixed, random: () => 0 })).toBe(900);
    expect(nextDelay(undefined, 10_000, { ...fixed, random: () => 1 })).toBe(1100);
  });

  it('follows a hint, never sooner, a little later at most', () => {
    expect(nextDelay({ afterMs: 2000 }, 0, { ...fixed, random: () => 0 })).toBe(2040);
    expect(nextDelay({ afterMs: 2000 }, 0, { ...fixed, random: () => 1 })).toBe(2080);
    expect(nextDelay({ afterMs: 100 }, 0, { ...fixed, random: () => 1 })).toBe(104);
    expect(nextDelay({ afterMs: 20_000 }, 0, { ...fixed, random: () => 1 })).toBe(20_100);
  });

  it('aims at the eta when there is no header hint, and ignores an eta already past', () => {
    const d = nextDelay({ eta: Date.now() + 5000 }, 10_000, fixed);
    expect(d).toBeGreaterThan(4900);
    expect(d).toBeLessThanOrEqual(5200);
    expect(nextDelay({ eta: new Date(Date.now() - 1000).toISOString() }, 10_000, fixed)).toBe(1000);
  });

  it('sleeps toward a far eta no longer than the time waited (at least 2 s), so an early end is heard', () => {
    const far = Date.now() + 600_000;
    const early = nextDelay({ eta: far }, 0, { ...fixed, random: () => 0 });
    expect(early).toBeGreaterThanOrEqual(2000);
    expect(early).toBeLessThanOrEqual(2100);
    const later = nextDelay({ eta: far }, 8000, { ...fixed, random: () => 0 });
    expect(later).toBeGreaterThanOrEqual(8000);
    expect(later).toBeLessThanOrEqual(8100);
  });
});

describe('poll', () => {
  it('returns the first value that is done and reports every value', async () => {
    const values = ['pending', 'pending', 'done'];
    const seen: string[] = [];
    const got = await poll({
      fetchStatus: async () => values.shift()!,
      isDone: (v) => v === 'done',
      hint: () => ({ afterMs: 1 }),
      onValue: (v) => seen.push(v),
    });
    expect(got).toBe('done');
    expect(seen).toEqual(['pending', 'pending', 'done']);
  });

  it('does not sleep past the deadline: one last check there, then WaitTimeoutError with the last value', async () => {
    let calls = 0;
    const err = await poll({
      fetchStatus: async () => ({ n: ++calls }),
      isDone: () => false,
      hint: () => ({ afterMs: 60_000 }),
      timeoutMs: 200,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.last).toEqual({ n: 2 });
    expect(calls).toBe(2);
  });

  it('retries transient errors until the deadline bounds them', async () => {
    let calls = 0;
    const got = await poll({
      fetchStatus: async () => {
        calls++;
        if (calls < 3)
          throw new InternalServerError(503, undefined, 'down', new Headers({ 'retry-after-ms': '1' }));
        return 'done';
      },
      isDone: (v) => v === 'done',
    });
    expect(got).toBe('done');
    expect(calls).toBe(3);
  });

  it('an unknown status thrown by isDone ends the poll', async () => {
    const err = await poll({
      fetchStatus: async () => 'paused',
      isDone: (v) => {
        if (v !== 'pending' && v !== 'done') throw new UnknownStatusError(v);
        return v === 'done';
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(UnknownStatusError);
    expect(err.value).toBe('paused');
  });

  it('abort stops a sleeping poll with APIUserAbortError', async () => {
    const controller = new AbortController();
    const pending = poll({
      fetchStatus: async () => 'pending',
      isDone: () => false,
      hint: () => ({ afterMs: 60_000 }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
  });
});
