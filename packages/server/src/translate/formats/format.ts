/** The document formats the engine reads and writes. */
export type FormatName = 'text' | 'markdown' | 'subrip' | 'webvtt' | 'html' | 'docx';

/** A document read for translation: its texts, and how to write it back with them translated. */
export interface ParsedDocument {
  /** The texts to translate, in document order; none empty, none without a letter. */
  readonly segments: readonly string[];
  /**
   * The document in its own format with `translations[i]` in place of
   * `segments[i]`; everything else as it was.
   */
  render(translations: readonly string[]): Uint8Array;
}

export interface DocumentFormat {
  readonly name: FormatName;
  /** File name extensions, lower case without the dot; the first is the one output files get. */
  readonly extensions: readonly string[];
  /** The media type of output files. */
  readonly contentType: string;
  /** Read a document; a {@link TranslationError} `unsupported_document` when it cannot be. */
  parse(bytes: Uint8Array): ParsedDocument;
}

/** What a text format makes of a decoded document. */
export interface ParsedText {
  readonly segments: readonly string[];
  render(translations: readonly string[]): string;
}

export function checkCount(segments: readonly string[], translations: readonly string[]): void {
  if (translations.length !== segments.length) {
    throw new RangeError(`${translations.length} translations given for ${segments.length} segments`);
  }
}
