import { TranslationError } from '../errors.js';
import { checkCount, type DocumentFormat, type FormatName, type ParsedText } from './format.js';

interface Decoded {
  text: string;
  /** Whether it began with a byte order mark. */
  bom: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL is how binary files show themselves
const NUL = /\u0000/;

/**
 * Text as written: UTF-8 or UTF-16 by their byte order mark, else UTF-8 when
 * the bytes are valid UTF-8, else Windows-1252 (old subtitle files). Bytes
 * that look binary are refused.
 */
export function decodeText(bytes: Uint8Array): Decoded {
  const [a, b, c] = bytes;
  let decoded: Decoded;
  if (a === 0xef && b === 0xbb && c === 0xbf) {
    decoded = { text: strict('utf-8', bytes.subarray(3)), bom: true };
  } else if (a === 0xff && b === 0xfe) {
    decoded = { text: strict('utf-16le', bytes.subarray(2)), bom: true };
  } else if (a === 0xfe && b === 0xff) {
    decoded = { text: strict('utf-16be', bytes.subarray(2)), bom: true };
  } else {
    try {
      decoded = {
        text: new TextDecoder('utf-8', { fatal: true }).decode(bytes),
        bom: false,
      };
    } catch {
      decoded = { text: new TextDecoder('windows-1252').decode(bytes), bom: false };
    }
  }
  if (NUL.test(decoded.text)) {
    throw new TranslationError('unsupported_document', 'The document is binary, not text.');
  }
  return decoded;
}

function strict(encoding: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    throw new TranslationError('unsupported_document', `The document is not valid ${encoding} text.`, {
      cause: err,
    });
  }
}

/**
 * Text as UTF-8, whatever it came in: Windows-1252 cannot hold most
 * translations, and one encoding out keeps the media type true. A byte
 * order mark stays when there was one.
 */
export function encodeText(text: string, { bom }: Decoded): Uint8Array {
  return new TextEncoder().encode(bom ? `\ufeff${text}` : text);
}

/** A format of text files, from what it makes of the decoded text. */
export function textFormat(spec: {
  name: FormatName;
  extensions: readonly string[];
  contentType: string;
  parseText(text: string): ParsedText;
}): DocumentFormat {
  return {
    name: spec.name,
    extensions: spec.extensions,
    contentType: spec.contentType,
    parse(bytes) {
      const decoded = decodeText(bytes);
      const parsed = spec.parseText(decoded.text);
      return {
        segments: parsed.segments,
        render(translations) {
          checkCount(parsed.segments, translations);
          return encodeText(parsed.render(translations), decoded);
        },
      };
    },
  };
}
