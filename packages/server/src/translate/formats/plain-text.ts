import type { ParsedText } from './format.js';
import { joinLines, type Line, splitLines } from './lines.js';
import { SegmentList, splitPadding, wrapLike } from './segments.js';
import { textFormat } from './text-codec.js';

// a line that starts a list item starts a new unit, even without a blank line before it
const LIST_ITEM = /^(\s*(?:[-*+•‣◦▪–]|\d{1,3}[.)]|[a-zA-Z][.)])\s+)/;

interface Unit {
  /** Index of the unit's first line. */
  first: number;
  lines: Line[];
  slot: number;
}

/**
 * Paragraphs (lines up to a blank line), each translated whole. A line that
 * starts a list item ("- ", "1. ") begins its own unit. A hard-wrapped
 * paragraph comes back wrapped on about as many lines, each keeping its
 * indentation and the item marker.
 */
export function parsePlainText(source: string): ParsedText {
  const lines = splitLines(source);
  const segments = new SegmentList();
  const units: Unit[] = [];
  let current: Unit | null = null;
  const close = () => {
    if (current) {
      current.slot = segments.add(current.lines.map(content).join(' '));
      units.push(current);
    }
    current = null;
  };
  for (const [i, line] of lines.entries()) {
    if (line.text.trim() === '' || (current && LIST_ITEM.test(line.text))) close();
    if (line.text.trim() === '') continue;
    current ??= { first: i, lines: [], slot: -1 };
    current.lines.push(line);
  }
  close();
  return {
    segments: segments.texts,
    render(translations) {
      const out = [...lines];
      // replace from the end so that earlier line numbers stay valid
      for (const unit of units.toReversed()) {
        if (unit.slot < 0) continue;
        const wrapped = wrapLike(
          translations[unit.slot]!,
          unit.lines.map((l) => content(l).length),
        );
        const rewritten = wrapped.map((text, i): Line => {
          const original = unit.lines[i]!;
          const { lead, trail } = splitPadding(original.text);
          const marker = i === 0 ? (LIST_ITEM.exec(original.text)?.[1] ?? lead) : lead;
          const eol = i === wrapped.length - 1 ? unit.lines.at(-1)!.eol : original.eol;
          return { text: marker + text + trail, eol };
        });
        out.splice(unit.first, unit.lines.length, ...rewritten);
      }
      return joinLines(out);
    },
  };
}

function content(line: Line): string {
  const marker = LIST_ITEM.exec(line.text)?.[1];
  return (marker ? line.text.slice(marker.length) : line.text).trim();
}

export const plainText = textFormat({
  name: 'text',
  extensions: ['txt', 'text'],
  contentType: 'text/plain; charset=utf-8',
  parseText: parsePlainText,
});
