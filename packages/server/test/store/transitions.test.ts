import { describe, expect, it } from 'vitest';
import { LOG_TAIL } from '../../src/jobs/model.js';
import { insertedRow } from '../../src/store/inserted-row.js';
import type { JobRow } from '../../src/store/job-row.js';
import { appendTail, appendTailJson, type LogEntry, logLines, nextRow } from '../../src/store/transitions.js';

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

describe('the log tail and the log table', () => {
  /** A running job's row with `count` lines so far, the newest in its tail (none when `timed` is false: an old row). */
  function running(count: number, timed = true): JobRow {
    const row = insertedRow(
      { id: 'j', tenant: 't', type: 'x', queue: 'q', priority: 0, input: {}, metadata: {}, max_attempts: 3 },
      1,
      0,
      { input: '{}', metadata: '{}', webhook: null },
    );
    const tail = Array.from(
      { length: Math.min(count, LOG_TAIL) },
      (_, i) => count - Math.min(count, LOG_TAIL) + i + 1,
    );
    return {
      ...row,
      status: 'running',
      log_count: count,
      logs_tail: JSON.stringify(tail.map((n) => `line ${n}`)),
      logs_tail_ts: timed ? JSON.stringify(tail.map((n) => n * 10)) : null,
    };
  }
  const report = (lines: number, from: number) => ({
    change: {},
    lines: Array.from({ length: lines }, (_, i) => `line ${from + i}`),
  });

  it('writes no line to the log table while the tail has room, and the lines that leave it once it is full', () => {
    const few = nextRow(running(3), report(2, 4), 1000);
    expect(few.logs).toEqual([]);
    expect(JSON.parse(few.next.logs_tail)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(JSON.parse(few.next.logs_tail_ts!)).toEqual([10, 20, 30, 1000, 1000]);

    // 48 lines and 5 more: the oldest 3 leave the tail, each with its own time.
    const over = nextRow(running(48), report(5, 49), 1000);
    expect(over.logs).toEqual([
      { n: 1, ts: 10, line: 'line 1' },
      { n: 2, ts: 20, line: 'line 2' },
      { n: 3, ts: 30, line: 'line 3' },
    ]);
    expect(over.next.log_count).toBe(53);
    expect(JSON.parse(over.next.logs_tail)).toHaveLength(LOG_TAIL);
    expect(JSON.parse(over.next.logs_tail)[0]).toBe('line 4');
    expect(JSON.parse(over.next.logs_tail_ts!).at(-1)).toBe(1000);

    // More new lines than the tail holds: some of them go straight to the table, at the change's time.
    const flood = nextRow(running(60), report(LOG_TAIL + 2, 61), 1000);
    expect(flood.logs.map((l) => l.n)).toEqual(Array.from({ length: 52 }, (_, i) => 11 + i));
    expect(flood.logs.at(-1)).toEqual({ n: 62, ts: 1000, line: 'line 62' });
    expect(flood.logs[0]).toEqual({ n: 11, ts: 110, line: 'line 11' });
  });

  it('writes every new line to the log table for a row whose tail keeps no times, as it was written before', () => {
    const old = nextRow(running(3, false), report(2, 4), 1000);
    expect(old.logs).toEqual([
      { n: 4, ts: 1000, line: 'line 4' },
      { n: 5, ts: 1000, line: 'line 5' },
    ]);
    expect(old.next.logs_tail_ts).toBeNull();
    expect(JSON.parse(old.next.logs_tail)).toHaveLength(5);
  });

  it('reads a log from the lines the table gave and the tail, in order, at most the limit', () => {
    const row = running(60);
    const stored = (after: number, limit: number): LogEntry[] =>
      Array.from({ length: 10 }, (_, i) => ({ n: i + 1, ts: (i + 1) * 10, line: `line ${i + 1}` }))
        .filter((l) => l.n > after)
        .slice(0, limit);
    const read = (after: number, limit: number) =>
      logLines(row, stored(after, limit), after, limit).map((l) => l.n);
    expect(read(0, 100)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(read(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(read(8, 5)).toEqual([9, 10, 11, 12, 13]);
    expect(read(10, 3)).toEqual([11, 12, 13]);
    expect(read(58, 10)).toEqual([59, 60]);
    expect(read(60, 10)).toEqual([]);
    expect(logLines(row, [], 55, 1)).toEqual([{ n: 56, ts: 560, line: 'line 56' }]);
    // An old row's lines are all in the table: its tail adds none.
    expect(logLines(running(60, false), stored(0, 100), 0, 100)).toHaveLength(10);
  });
});
