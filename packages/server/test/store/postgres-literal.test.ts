import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { literal, NotALiteralError } from '../../src/store/postgres/connection.js';
import { adminQuery, describePostgres } from '../helpers/postgres.js';

/** Text that an SQL literal and an array literal must carry through unchanged. */
const AWKWARD = [
  '',
  'plain',
  "it's",
  "''",
  'back\\slash',
  "both ' and \\",
  '\\',
  "'",
  "E'x\\'",
  '"quoted"',
  '{braces},commas',
  'NULL',
  'tab\there\nnewline',
  'ünïcødé 日本語 🎬',
  ' leading and trailing ',
  '$1 $$dollar$$',
];

/** Strings of the characters quoting turns on, each a few hundred long. */
function randomAwkward(n: number): string[] {
  const alphabet = ["'", '\\', '"', '{', '}', ',', 'a', ' ', 'é', '🎬'];
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  return Array.from({ length: n }, () =>
    Array.from({ length: 1 + (next() % 300) }, () => alphabet[next() % alphabet.length]).join(''),
  );
}

describe('SQL literals of values sent in one simple query', () => {
  it('quote text as pg.escapeLiteral does', () => {
    for (const text of [...AWKWARD, ...randomAwkward(200)])
      expect(literal(text)).toBe(pg.escapeLiteral(text));
  });

  it('refuse a NUL, which would end the query text where it stands', () => {
    expect(() => literal('a\u0000b')).toThrow(NotALiteralError);
    expect(() => literal(['ok', 'a\u0000b'])).toThrow(NotALiteralError);
    expect(() => literal(Number.NaN)).toThrow(NotALiteralError);
  });
});

describePostgres('SQL literals read back by PostgreSQL', () => {
  it('give back every text and every array of texts, numbers and nulls as written', async () => {
    const texts = [...AWKWARD, ...randomAwkward(50)];
    const array: (string | number | null)[] = [...texts, 0, -1.5, 1e15, null];
    const [row] = await adminQuery<{ texts: string[]; array: (string | null)[] }>(
      `SELECT ARRAY[${texts.map((t) => `${literal(t)}::text`).join(', ')}] AS texts, ${literal(array)}::text[] AS array`,
    );
    expect(row!.texts).toEqual(texts);
    expect(row!.array).toEqual(array.map((v) => (v === null ? null : String(v))));
  });
});
