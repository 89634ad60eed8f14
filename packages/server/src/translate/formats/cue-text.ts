import type { ParsedText } from './format.js';
import { joinLines, type Line, splitLines } from './lines.js';
import { oneLine, SegmentList, splitPadding, wrapLike } from './segments.js';

/** How a subtitle format marks up cue text. */
export interface CueSyntax {
  /** Matches one tag, globally: `<i>`, `</i>`, `{\an8}`, `<v Bob>`, `<00:01.000>`. */
  tag: RegExp;
  decode(text: string): string;
  encode(text: string): string;
}

interface LineShape {
  /** Tags and white space before the words. */
  lead: string;
  /** The words, with no tag in them (null when there is one: see the fallback). */
  core: string | null;
  trail: string;
  raw: string;
}

// a line that starts with a dash is one speaker of a dialogue: lines are not merged across speakers
const DIALOGUE = /^-\s*/;

/**
 * The text of one cue, its lines given apart. Lines whose tags sit only at
 * their edges (`<i>…</i>`, `{\an8}…`, `<v Bob>…`) are translated as one
 * sentence and wrapped back on as many lines, each with its own tags; each
 * dialogue line ("- …") is translated on its own; a line with tags inside
 * its words has each stretch between tags translated. Returns how to write
 * the lines back.
 */
export function cueText(
  lines: readonly string[],
  segments: SegmentList,
  syntax: CueSyntax,
): (translations: readonly string[]) => string[] {
  const shapes = lines.map((line) => shapeOf(line, syntax));
  if (shapes.some((s) => s.core === null)) return perStretch(lines, segments, syntax);
  const withWords = shapes.filter((s) => s.core !== '');
  if (withWords.some((s) => DIALOGUE.test(s.core!))) return perLine(shapes, segments, syntax);
  const slot = segments.add(withWords.map((s) => syntax.decode(s.core!)).join(' '));
  return (translations) => {
    if (slot < 0) return [...lines];
    const wrapped = wrapLike(
      translations[slot]!,
      withWords.map((s) => syntax.decode(s.core!).length),
    );
    const out: string[] = [];
    let next = 0;
    let dropped = '';
    for (const shape of shapes) {
      if (shape.core === '') {
        out.push(shape.raw);
      } else if (next < wrapped.length) {
        out.push(shape.lead + syntax.encode(wrapped[next++]!) + shape.trail);
      } else {
        // fewer lines than before: the tags of the lines not needed move to the last line, so none is lost
        dropped += shape.lead + shape.trail;
      }
    }
    if (dropped !== '') {
      const last = out.findLastIndex((_, i) => shapes[i]?.core !== '');
      out[last] += dropped;
    }
    return out;
  };
}

function shapeOf(raw: string, syntax: CueSyntax): LineShape {
  const parts = raw.split(new RegExp(`(${syntax.tag.source})`, syntax.tag.flags.replace('g', '')));
  // parts alternate text, tag, text, tag, …, text
  let first = 0;
  while (first < parts.length && (first % 2 === 1 || parts[first]!.trim() === '')) first++;
  if (first >= parts.length) return { lead: raw, core: '', trail: '', raw };
  let last = parts.length - 1;
  while (last % 2 === 1 || parts[last]!.trim() === '') last--;
  const middle = parts.slice(first, last + 1);
  const { lead: ws, core, trail: ws2 } = splitPadding(middle.join(''));
  if (middle.length > 1) return { lead: '', core: null, trail: '', raw };
  return {
    lead: parts.slice(0, first).join('') + ws,
    core,
    trail: ws2 + parts.slice(last + 1).join(''),
    raw,
  };
}

function perLine(
  shapes: readonly LineShape[],
  segments: SegmentList,
  syntax: CueSyntax,
): (translations: readonly string[]) => string[] {
  const slots = shapes.map((s) => {
    const dash = DIALOGUE.exec(s.core!)?.[0] ?? '';
    return { dash, slot: segments.add(syntax.decode(s.core!.slice(dash.length))) };
  });
  return (translations) =>
    shapes.map((shape, i) => {
      const { dash, slot } = slots[i]!;
      if (slot < 0) return shape.raw;
      return shape.lead + dash + syntax.encode(oneLine(translations[slot]!)) + shape.trail;
    });
}

function perStretch(
  lines: readonly string[],
  segments: SegmentList,
  syntax: CueSyntax,
): (translations: readonly string[]) => string[] {
  const split = new RegExp(`(${syntax.tag.source})`, syntax.tag.flags.replace('g', ''));
  const parsed = lines.map((line) =>
    line.split(split).map((part, i) => {
      if (i % 2 === 1) return { part, slot: -1, lead: '', trail: '' };
      const { lead, core, trail } = splitPadding(part);
      return { part, slot: segments.add(syntax.decode(core)), lead, trail };
    }),
  );
  return (translations) =>
    parsed.map((parts) =>
      parts
        .map(({ part, slot, lead, trail }) =>
          slot < 0 ? part : lead + syntax.encode(oneLine(translations[slot]!)) + trail,
        )
        .join(''),
    );
}

/** Where the payload of one cue stands in a file's lines. */
export interface CueSpan {
  start: number;
  count: number;
}

/** The payload lines of one cue in a file's lines, and how to write them back. */
interface CueBlock extends CueSpan {
  render: (translations: readonly string[]) => string[];
}

/**
 * A subtitle file as text to translate: the payload of each cue that
 * `findCues` finds in the file's lines is translated as {@link cueText} says;
 * every other line, and every line break, is kept as it was.
 */
export function parseCues(
  source: string,
  syntax: CueSyntax,
  findCues: (lines: readonly Line[]) => CueSpan[],
): ParsedText {
  const lines = splitLines(source);
  const segments = new SegmentList();
  const cues = findCues(lines).map(
    ({ start, count }): CueBlock => ({
      start,
      count,
      render: cueText(
        lines.slice(start, start + count).map((l) => l.text),
        segments,
        syntax,
      ),
    }),
  );
  return {
    segments: segments.texts,
    render: (translations) => renderCues(lines, cues, translations),
  };
}

/** The file with each cue's payload lines rewritten; every other line, and every line break, as it was. */
function renderCues(
  lines: readonly Line[],
  cues: readonly CueBlock[],
  translations: readonly string[],
): string {
  const out = [...lines];
  // from the end, so that the line numbers of earlier cues stay valid
  for (const cue of cues.toReversed()) {
    const texts = cue.render(translations);
    const originals = out.slice(cue.start, cue.start + cue.count);
    const last = originals.at(-1)?.eol ?? '';
    const rewritten = texts.map((text, k) => ({
      text,
      eol: k === texts.length - 1 ? last : (originals[k]?.eol ?? originals[0]!.eol),
    }));
    out.splice(cue.start, cue.count, ...rewritten);
  }
  return joinLines(out);
}
