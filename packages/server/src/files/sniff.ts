/**
 * Magic numbers of the media types longrun reads: the images image.to_video
 * and text.to_video take, and the zip container of DOCX. Text formats
 * (plain text, Markdown, SubRip, WebVTT, HTML) have none; a text type is only
 * refused when the bytes are one of these binary types.
 */

/** How many leading bytes {@link sniff} needs. */
export const SNIFF_BYTES = 16;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const SIGNATURES: readonly { type: string; test: (b: Uint8Array) => boolean }[] = [
  { type: 'image/png', test: (b) => starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', test: (b) => starts(b, [0xff, 0xd8, 0xff]) },
  { type: 'image/gif', test: (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a') },
  { type: 'image/webp', test: (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP') },
  { type: DOCX, test: (b) => starts(b, [0x50, 0x4b, 0x03, 0x04]) },
];

/** Declared types whose bytes are checked, and the type the bytes must be. */
const CHECKED: ReadonlySet<string> = new Set(SIGNATURES.map((s) => s.type));

/** Declared text types that the bytes of a binary type above must not be. */
const TEXT_TYPES: ReadonlySet<string> = new Set([
  'text/plain',
  'text/markdown',
  'text/x-markdown',
  'text/html',
  'application/xhtml+xml',
  'text/vtt',
  'application/x-subrip',
  'text/x-subrip',
  'application/x-srt',
  'text/srt',
]);

function starts(b: Uint8Array, sig: readonly number[]): boolean {
  return b.length >= sig.length && sig.every((v, i) => b[i] === v);
}

function ascii(b: Uint8Array, at: number, text: string): boolean {
  return starts(
    b.subarray(at),
    [...text].map((c) => c.charCodeAt(0)),
  );
}

/** The binary media type the first bytes show, or null. */
export function sniff(head: Uint8Array): string | null {
  return SIGNATURES.find((s) => s.test(head))?.type ?? null;
}

/** A media type without parameters, lower case; '' for none. */
export function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** Whether a declared type says nothing about the bytes (so they are sniffed instead). */
export function isGeneric(type: string): boolean {
  return type === '' || type === 'application/octet-stream' || type === 'binary/octet-stream';
}

/**
 * The content type to record for an upload declared as `declared` whose
 * first bytes are `head`, or a mismatch. A generic declaration takes what
 * the bytes show (octet-stream when they show nothing known); a checked type
 * must be what the bytes show; a text type must not be a binary type; any
 * other type is kept as declared.
 */
export function settleType(
  declared: string,
  head: Uint8Array,
): { ok: true; type: string } | { ok: false; detected: string | null } {
  const detected = sniff(head);
  if (isGeneric(declared)) return { ok: true, type: detected ?? 'application/octet-stream' };
  if (CHECKED.has(declared))
    return detected === declared ? { ok: true, type: declared } : { ok: false, detected };
  if (TEXT_TYPES.has(declared) && detected !== null) return { ok: false, detected };
  return { ok: true, type: declared };
}
