import { TranslationError } from '../errors.js';
import { type CueSpan, type CueSyntax, parseCues } from './cue-text.js';
import type { ParsedText } from './format.js';
import { textFormat } from './text-codec.js';

const TIMING = /^\s*\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}\s*-->\s*\d{1,3}:\d{2}:\d{2}[,.]\d{1,3}/;

/** SubRip marks text up with HTML-like tags and ASS override blocks; it has no character references. */
const SUBRIP_SYNTAX: CueSyntax = {
  tag: /<\/?[a-zA-Z][^<>]*>|\{\\[^{}]*\}/g,
  decode: (text) => text,
  encode: (text) => text,
};

/**
 * SubRip: every line that is not cue text (numbers, timings with their
 * coordinates, blank lines, stray text) is kept as it was; each cue's text,
 * the lines after its timing up to a blank line, is translated.
 */
export function parseSubRip(source: string): ParsedText {
  return parseCues(source, SUBRIP_SYNTAX, (lines) => {
    const cues: CueSpan[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (!TIMING.test(lines[i]!.text)) continue;
      let end = i + 1;
      while (end < lines.length && lines[end]!.text.trim() !== '') end++;
      cues.push({ start: i + 1, count: end - i - 1 });
      i = end;
    }
    if (cues.length === 0 && source.trim() !== '') {
      throw new TranslationError(
        'unsupported_document',
        'The SubRip file has no cue timings (00:00:01,000 --> …).',
      );
    }
    return cues;
  });
}

export const subRip = textFormat({
  name: 'subrip',
  extensions: ['srt'],
  contentType: 'application/x-subrip; charset=utf-8',
  parseText: parseSubRip,
});
