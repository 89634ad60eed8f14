/** A caption: its text and when it is spoken, in seconds. */
export interface Cue {
  start: number;
  end: number;
  text: string;
}

export interface ChunkOptions {
  /** The longest chunk, in characters: two caption lines of 42. @default 84 */
  maxChars?: number;
  /** The language, for sentence boundaries. @default 'en' */
  locale?: string;
}

const CLAUSE_END = /[,;:\u2013\u2014\u3001\uff0c\uff1b\uff1a]$/;

/**
 * Split text into the chunks that become both the units of speech and the
 * captions: sentences, and sentences too long for one caption split again,
 * at a clause mark near the middle if there is one, else at the space
 * nearest the middle, else in the middle (scripts written without spaces).
 */
export function splitIntoChunks(text: string, { maxChars = 84, locale = 'en' }: ChunkOptions = {}): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) return [];
  let segmenter: Intl.Segmenter;
  try {
    segmenter = new Intl.Segmenter(locale, { granularity: 'sentence' });
  } catch {
    segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
  }
  return [...segmenter.segment(clean)]
    .map((s) => s.segment.trim())
    .filter(Boolean)
    .flatMap((sentence) => splitLong(Array.from(sentence), maxChars));
}

function splitLong(chars: string[], maxChars: number): string[] {
  if (chars.length <= maxChars) return [chars.join('').trim()].filter(Boolean);
  const mid = chars.length / 2;
  // Pieces may not be shorter than a fifth of the whole: no orphaned word on a caption of its own.
  const lo = Math.floor(chars.length / 5);
  const hi = chars.length - lo;
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let i = lo; i <= hi; i++) {
    if (chars[i] !== ' ') continue;
    const before = chars.slice(Math.max(0, i - 2), i).join('');
    const score = Math.abs(i - mid) + (CLAUSE_END.test(before) ? 0 : chars.length);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  const at = best === -1 ? Math.floor(mid) : best;
  return [...splitLong(chars.slice(0, at), maxChars), ...splitLong(chars.slice(at), maxChars)];
}

/** `HH:MM:SS.mmm`, as WebVTT writes times. */
export function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(ms % 1000, 3)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A WebVTT file of the cues. */
export function toWebVtt(cues: readonly Cue[]): string {
  const escapeText = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const blocks = cues.map(
    (c, i) => `${i + 1}\n${vttTime(c.start)} --> ${vttTime(c.end)}\n${escapeText(c.text)}`,
  );
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}

/** `H:MM:SS.cc`, as ASS writes times (centiseconds). */
function assTime(seconds: number): string {
  const cs = Math.round(seconds * 100);
  const h = Math.floor(cs / 360_000);
  const m = Math.floor(cs / 6000) % 60;
  const s = Math.floor(cs / 100) % 60;
  return `${h}:${pad(m, 2)}:${pad(s, 2)}.${pad(cs % 100, 2)}`;
}

/**
 * Text shown literally by libass: a backslash followed by a word joiner is
 * never an escape (\N, \h), and escaped braces never open an override block.
 */
function assText(text: string): string {
  return text.replace(/\\/g, '\\\u2060').replace(/[{}]/g, (b) => `\\${b}`);
}

export interface CaptionStyle {
  width: number;
  height: number;
}

/**
 * An ASS script that burns the cues in: white text with a dark outline,
 * centred at the bottom, sized to the frame, wrapped by libass.
 */
export function toAss(cues: readonly Cue[], { width, height }: CaptionStyle): string {
  const fontSize = Math.round(Math.min(width, height) * 0.06);
  const outline = Math.max(1, Math.round(fontSize / 14));
  const marginH = Math.round(width * 0.06);
  const marginV = Math.round(height * 0.07);
  const events = cues.map(
    (c) => `Dialogue: 0,${assTime(c.start)},${assTime(c.end)},Default,,0,0,0,,${assText(c.text)}`,
  );
  return [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, ' +
      'Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, ' +
      'MarginR, MarginV, Encoding',
    `Style: Default,DejaVu Sans,${fontSize},&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,` +
      `${outline},1,2,${marginH},${marginH},${marginV},1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...events,
    '',
  ].join('\n');
}
