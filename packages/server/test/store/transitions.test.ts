import { describe, expect, it } from 'vitest';
import { LOG_TAIL } from '../../src/jobs/model.js';
import { appendTail, appendTailJson } from '../../src/store/transitions.js';

describe('appendTailJson', () => {
  const lines = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `line ${from + i} "q" \\ ü`);
  const parsed = (tail: string, added: string[]) => JSON.stringify(appendTail(JSON.parse(tail), added));

  it('gives the tail appendTail gives, with and without lines falling out', () => {
    for (const [before, add] of [
      [0, 1],
      [0, 2],
      [1, 1],
      [3, 5],
      [LOG_TAIL - 1, 1],
      [LOG_TAIL - 1, 2],
      [LOG_TAIL, 1],
      [0, LOG_TAIL + 3],
    ] as const) {
      const tail = JSON.stringify(lines(before));
      const added = lines(add, before);
      const text = appendTailJson(tail, before, added);
      expect([before, add, text]).toEqual([before, add, parsed(tail, added)]);
      expect(JSON.parse(text)).toHaveLength(Math.min(LOG_TAIL, before + add));
    }
  });

  it("joins onto JSON written by others (PostgreSQL's json with spaces), and reads a tail it cannot join", () => {
    expect(JSON.parse(appendTailJson('["a", "b"]', 2, ['c']))).toEqual(['a', 'b', 'c']);
    expect(JSON.parse(appendTailJson('[ ]', 0, ['c']))).toEqual(['c']);
    expect(JSON.parse(appendTailJson('[]\n', 0, ['c']))).toEqual(['c']);
    // A job with more lines than its tail shows: the oldest fall out.
    expect(JSON.parse(appendTailJson(JSON.stringify(lines(LOG_TAIL)), 70, ['new']))).toEqual([
      ...lines(LOG_TAIL).slice(1),
      'new',
    ]);
  });
});
