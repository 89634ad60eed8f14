/** A piece of text with the white space around it set aside, so that only `core` is translated. */
export interface Padded {
  lead: string;
  core: string;
  trail: string;
}

export function splitPadding(text: string): Padded {
  const lead = /^\s*/.exec(text)![0];
  if (lead.length === text.length) return { lead: text, core: '', trail: '' };
  const trail = /\s*$/.exec(text)![0];
  return { lead, core: text.slice(lead.length, text.length - trail.length), trail };
}

/** Text worth sending to a translator: it has a letter. Numbers, symbols and white space stay as they are. */
export function isTranslatable(text: string): boolean {
  return /\p{L}/u.test(text);
}

/**
 * The texts a document gives to translate, in document order. A format adds
 * each piece it finds and keeps the slot number to put the translation back.
 */
export class SegmentList {
  readonly texts: string[] = [];

  /**
   * The slot of `text` (words without white space at the edges: the format
   * keeps that), or -1 when it is not worth translating and is kept as it is.
   */
  add(text: string): number {
    if (!isTranslatable(text)) return -1;
    return this.texts.push(text) - 1;
  }
}

/** A translation made to fit on one line: its line breaks become spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ').trim();
}

/**
 * A translation laid out in the shape of the original (subtitles and
 * hard-wrapped paragraphs keep their line breaks): on as many lines as
 * `lineLengths` has, each line's share of the text about the share the
 * original line had. Never an empty line; text without spaces between
 * words (Chinese, Japanese) stays on one line.
 */
export function wrapLike(text: string, lineLengths: readonly number[]): string[] {
  const flat = oneLine(text);
  const words = flat.split(' ').filter((w) => w !== '');
  const count = Math.min(lineLengths.length, words.length);
  if (count <= 1) return [flat];
  const shares = lineLengths.slice(0, count).map((n) => Math.max(1, n));
  const totalShares = shares.reduce((a, b) => a + b, 0);
  const lines: string[][] = [[]];
  let used = 0;
  let reach = 0;
  for (const [i, word] of words.entries()) {
    const line = lines.at(-1)!;
    const linesLeft = count - lines.length;
    const wordsLeft = words.length - i;
    const target = (flat.length * (reach + shares[lines.length - 1]!)) / totalShares;
    // start the next line before this word when that ends this one nearer its share, or when every line left needs a word
    const nearer = Math.abs(used - 1 - target) <= Math.abs(used + word.length - target);
    if (line.length > 0 && linesLeft > 0 && (nearer || wordsLeft === linesLeft)) {
      reach += shares[lines.length - 1]!;
      lines.push([word]);
    } else {
      line.push(word);
    }
    used += word.length + 1;
  }
  return lines.map((l) => l.join(' '));
}

/** A replacement of `source.slice(start, end)`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** `source` with the edits made; they must not overlap. Everything between them is kept byte for byte. */
export function applyEdits(source: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const edit of sorted) {
    if (edit.start < at) throw new Error(`overlapping edits at offset ${edit.start}`);
    parts.push(source.slice(at, edit.start), edit.text);
    at = edit.end;
  }
  parts.push(source.slice(at));
  return parts.join('');
}
