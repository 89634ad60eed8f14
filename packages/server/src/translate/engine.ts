import type { TranslationBackend } from './backends/backend.js';
import { toBatches } from './batches.js';
import { TranslationError } from './errors.js';
import { detectFormat, FORMATS } from './formats/detect.js';
import type { DocumentFormat, FormatName, ParsedDocument } from './formats/format.js';
import { checkLanguagePair } from './languages.js';
import { outputFilename } from './output-name.js';

/** Progress when the document's text has been read. */
export const EXTRACTED_PROGRESS = 20;
/** Progress when every text is translated; the caller reaches 100 when it has stored the output. */
export const TRANSLATED_PROGRESS = 80;

export interface TranslateDocumentOptions {
  /** The document as uploaded. */
  bytes: Uint8Array;
  /** The uploaded file's name: it names the output and helps tell the format. @default "document" */
  filename?: string | undefined;
  /** The upload's media type, when the name does not tell the format. @default none */
  contentType?: string | undefined;
  /** The format, when the caller knows it better than detection. @default detected */
  format?: FormatName | undefined;
  /** A language tag (ISO 639-1, e.g. "en", "pt-BR"), or "auto" when the backend detects it. */
  source: string;
  target: string;
  backend: TranslationBackend;
  /** Stops the work at once: the promise rejects with the signal's reason. @default none */
  signal?: AbortSignal | undefined;
  /**
   * Told the progress: 20 once the text is read, then rising to 80 as
   * batches come back (by characters translated), each with a message.
   * @default none
   */
  onProgress?: ((percent: number, message: string) => void) | undefined;
}

export interface TranslatedDocument {
  /** The translated document, in the format it came in. */
  bytes: Uint8Array;
  /** e.g. "report.es.docx". */
  filename: string;
  contentType: string;
  format: FormatName;
  /** The languages as used: normalised ("pt-br" -> "pt-BR"). */
  source: string;
  target: string;
  /** Pieces of text in the document that were translated. */
  segments: number;
  /** Distinct texts sent to the backend: a repeated text is sent once. */
  uniqueSegments: number;
  /** Characters sent to the backend. */
  characters: number;
  /** Calls made to the backend. */
  batches: number;
  /** Pieces the backend answered with an empty text: kept in the original language. */
  keptOriginal: number;
}

/**
 * Translate a document and keep its format: read its text pieces, send
 * each distinct one to the backend once (in batches within the backend's
 * limits), and write the document back with the translations in place.
 * Fails with a {@link TranslationError}, or the signal's reason.
 */
export async function translateDocument({
  bytes,
  filename,
  contentType,
  format: formatName,
  source,
  target,
  backend,
  signal,
  onProgress,
}: TranslateDocumentOptions): Promise<TranslatedDocument> {
  signal?.throwIfAborted();
  const pair = checkLanguagePair({ source, target }, { autoSource: backend.detectsLanguage });
  const format = formatName ? FORMATS[formatName] : detectFormat({ bytes, filename, contentType });
  const parsed = parse(format, bytes);
  const unique = [...new Set(parsed.segments)];
  const totalChars = unique.reduce((sum, t) => sum + t.length, 0);
  onProgress?.(
    EXTRACTED_PROGRESS,
    `extracted ${parsed.segments.length} segments (${unique.length} distinct) from the ${format.name} document`,
  );

  const translated = new Map<string, string>();
  const batches = toBatches(unique, backend.batch);
  let doneChars = 0;
  for (const batch of batches) {
    signal?.throwIfAborted();
    const answer = await backend.translate(batch, { source: pair.source, target: pair.target, signal });
    if (answer.length !== batch.length) {
      throw new TranslationError(
        'translation_failed',
        `The ${backend.name} backend answered ${answer.length} translations for ${batch.length} texts.`,
      );
    }
    batch.forEach((text, i) => {
      translated.set(text, answer[i]!);
    });
    doneChars += batch.reduce((sum, t) => sum + t.length, 0);
    const span = TRANSLATED_PROGRESS - EXTRACTED_PROGRESS;
    onProgress?.(
      EXTRACTED_PROGRESS + Math.floor((span * doneChars) / Math.max(1, totalChars)),
      `translated ${translated.size} of ${unique.length} distinct segments`,
    );
  }
  if (batches.length === 0) onProgress?.(TRANSLATED_PROGRESS, 'the document has no text to translate');
  signal?.throwIfAborted();

  let keptOriginal = 0;
  const translations = parsed.segments.map((text) => {
    const result = translated.get(text)!;
    if (result.trim() !== '') return result;
    // an empty answer would delete the text (and end a subtitle cue): the original stays
    keptOriginal++;
    return text;
  });
  return {
    bytes: parsed.render(translations),
    filename: outputFilename(filename, { ...pair, format }),
    contentType: format.contentType,
    format: format.name,
    source: pair.source,
    target: pair.target,
    segments: parsed.segments.length,
    uniqueSegments: unique.length,
    characters: totalChars,
    batches: batches.length,
    keptOriginal,
  };
}

function parse(format: DocumentFormat, bytes: Uint8Array): ParsedDocument {
  try {
    return format.parse(bytes);
  } catch (err) {
    if (err instanceof TranslationError) throw err;
    throw new TranslationError('unsupported_document', `The ${format.name} document could not be read.`, {
      cause: err,
    });
  }
}
