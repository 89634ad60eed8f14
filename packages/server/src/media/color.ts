/** Colour names accepted as a background, with their sRGB values (CSS). */
export const NAMED_COLORS: Readonly<Record<string, string>> = Object.freeze({
  black: '000000',
  white: 'ffffff',
  gray: '808080',
  grey: '808080',
  silver: 'c0c0c0',
  darkgray: 'a9a9a9',
  dimgray: '696969',
  slategray: '708090',
  darkslategray: '2f4f4f',
  midnightblue: '191970',
  navy: '000080',
  blue: '0000ff',
  teal: '008080',
  green: '008000',
  darkgreen: '006400',
  olive: '808000',
  maroon: '800000',
  red: 'ff0000',
  crimson: 'dc143c',
  orange: 'ffa500',
  gold: 'ffd700',
  yellow: 'ffff00',
  purple: '800080',
  indigo: '4b0082',
  pink: 'ffc0cb',
  beige: 'f5f5dc',
  brown: 'a52a2a',
});

/** Matches what {@link toFfmpegColor} accepts: #RGB, #RRGGBB or a name above. */
export const COLOR_PATTERN = `#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|${Object.keys(NAMED_COLORS).join('|')}`;

/** A background colour as ffmpeg writes one (0xRRGGBB), or null when it is not a colour. */
export function toFfmpegColor(value: string): string | null {
  const named = NAMED_COLORS[value.toLowerCase()];
  if (named) return `0x${named}`;
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
  if (!m) return null;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  return `0x${hex.toLowerCase()}`;
}
