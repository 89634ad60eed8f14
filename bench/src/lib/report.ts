import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * A Markdown table laid out as the repository's formatter (Biome) lays it
 * out, so a written report passes `biome check` as it is.
 */
export function markdownTable(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]!.length)));
  const cell = (text: string, i: number) => (right[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * Replace the `## heading` section of a Markdown file (up to the next `## `),
 * or append it. The heading is matched as a whole line: "Waiting" is not the
 * start of "Waiting for a batch".
 */
export function replaceSection(file: URL | string, heading: string, section: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  // Found after a newline put before the text: its index there is the line's own in the text.
  const start = `\n${current}`.indexOf(`\n## ${heading}\n`);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const end = current.indexOf('\n## ', start + 1);
    next = current.slice(0, start) + section + (end === -1 ? '' : current.slice(end + 1));
  }
  writeFileSync(file, next);
}
