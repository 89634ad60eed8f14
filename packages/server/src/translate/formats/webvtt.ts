import { TranslationError } from '../errors.js';
import { type CueSpan, type CueSyntax, parseCues } from './cue-text.js';
import type { ParsedText } from './format.js';
import type { Line } from './lines.js';
import { textFormat } from './text-codec.js';

const REFERENCES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  nbsp: '\u00a0',
  lrm: '\u200e',
  rlm: '\u200f',
  quot: '"',
  apos: "'",
};

/** WebVTT cue text: tags (`<i>`, `<c.x>`, `<v Bob>`, timestamps) and character references. */
const WEBVTT_SYNTAX: CueSyntax = {
  tag: /<[^<>]*>/g,
  decode: (text) =>
    text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (ref, name: string) => {
      if (name[0] === '#') {
        const code =
          name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ref;
      }
      return REFERENCES[name] ?? ref;
    }),
  // escaping ">" also keeps "-->", which would end the cue, out of translated text
  encode: (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
};

/**
 * WebVTT: the header, NOTE, STYLE and REGION blocks, cue identifiers and
 * timing lines with their settings are kept as they were; the payload of
 * each cue is translated.
 */
export function parseWebVtt(source: string): ParsedText {
  if (!/^(?:\ufeff)?WEBVTT(?:[ \t]|\r|\n|$)/.test(source)) {
    throw new TranslationError('unsupported_document', 'A WebVTT file starts with the line WEBVTT.');
  }
  return parseCues(source, WEBVTT_SYNTAX, findWebVttCues);
}

function findWebVttCues(lines: readonly Line[]): CueSpan[] {
  const cues: CueSpan[] = [];
  let i = 0;
  const skipBlock = () => {
    while (i < lines.length && lines[i]!.text.trim() !== '') i++;
  };
  skipBlock(); // the header
  while (i < lines.length) {
    if (lines[i]!.text.trim() === '') {
      i++;
      continue;
    }
    const first = lines[i]!.text;
    if (/^(?:NOTE|STYLE|REGION)(?:[ \t]|$)/.test(first)) {
      skipBlock();
      continue;
    }
    const timing = first.includes('-->') ? i : lines[i + 1]?.text.includes('-->') ? i + 1 : -1;
    if (timing < 0) {
      skipBlock();
      continue;
    }
    i = timing + 1;
    const start = i;
    skipBlock();
    cues.push({ start, count: i - start });
  }
  return cues;
}

export const webVtt = textFormat({
  name: 'webvtt',
  extensions: ['vtt'],
  contentType: 'text/vtt; charset=utf-8',
  parseText: parseWebVtt,
});
