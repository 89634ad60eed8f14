import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERRORS, JOB_ERRORS } from '../src/errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

function tableCodes(heading: string): Map<string, string[]> {
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading)) ?? '';
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    // Cells may be padded so the table lines up.
    const m = /^\|\s*`([a-z_]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (m)
      rows.set(
        m[1]!,
        m[2]!.split('|').map((c) => c.trim()),
      );
  }
  return rows;
}

describe('docs/errors.md', () => {
  it('lists every API error code with its status, and no code that does not exist', () => {
    const rows = tableCodes('API error codes');
    expect([...rows.keys()].sort()).toEqual(Object.keys(API_ERRORS).sort());
    for (const [code, { status }] of Object.entries(API_ERRORS))
      expect(rows.get(code)?.[0]).toBe(String(status));
  });

  it('lists every job error code', () => {
    expect([...tableCodes('Job error codes').keys()].sort()).toEqual(Object.keys(JOB_ERRORS).sort());
  });

  it('has no code shared by the two registries', () => {
    for (const code of Object.keys(JOB_ERRORS)) expect(Object.keys(API_ERRORS)).not.toContain(code);
  });
});
