import { describe, expect, it } from 'vitest';
import { Batcher, type Outcome } from '../../src/store/postgres/batcher.js';

/** A batcher that doubles numbers, fails on 13, and records the batches it was given. */
function doubler(maxItems = 500, wait: () => Promise<void> = async () => {}) {
  const batches: number[][] = [];
  const batcher = new Batcher<number, number>({
    maxItems,
    run: async (items) => {
      batches.push(items);
      await wait();
      return items.map(
        (n): Outcome<number> => (n === 13 ? { error: new Error('unlucky') } : { value: n * 2 }),
      );
    },
  });
  return { batcher, batches };
}

describe('Batcher', () => {
  it('writes what is added in one turn of the event loop as one batch, each caller getting its own outcome', async () => {
    const { batcher, batches } = doubler();
    const results = await Promise.allSettled([1, 2, 13, 4].map((n) => batcher.add(n)));
    expect(batches).toEqual([[1, 2, 13, 4]]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      2,
      4,
      'unlucky',
      8,
    ]);
  });

  it('gathers what is added while a batch is being written into the next, one batch at a time', async () => {
    let release: () => void = () => {};
    const { batcher, batches } = doubler(500, () => new Promise<void>((r) => (release = r)));
    const first = batcher.add(1);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    const more = [2, 3, 4].map((n) => batcher.add(n));
    await new Promise((r) => setTimeout(r, 10));
    expect(batches).toHaveLength(1);
    release();
    expect(await first).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1], [2, 3, 4]]);
    release();
    expect(await Promise.all(more)).toEqual([4, 6, 8]);
  });

  it('takes at most maxItems in a batch', async () => {
    const { batcher, batches } = doubler(2);
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)))).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails every item of a batch whose write throws, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>({
      maxItems: 10,
      run: async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('down');
        return items.map((n) => ({ value: n }));
      },
    });
    const failed = Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.add(3)).toBe(3);
  });
});
