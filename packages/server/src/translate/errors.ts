/**
 * The codes a translation can fail with, each with what it means. They are
 * job error codes: the job registry takes them in as they are, so each is
 * defined here once.
 */
export const TRANSLATION_ERRORS = Object.freeze({
  translation_backend_unavailable:
    'The translation backend could not be reached, timed out or kept answering errors (5xx, 429) after bounded retries.',
  translation_failed:
    'The translation backend refused the request (4xx: bad key, unsupported language) or its replies could not be used.',
  unsupported_document:
    'The document is not one of the formats translated (plain text, Markdown, SubRip, WebVTT, HTML, DOCX), or it is damaged.',
  invalid_language:
    'A language code is not valid (use ISO 639-1 such as en, es, pt-BR; auto only as a source), or source equals target.',
} as const satisfies Record<string, string>);

export type TranslationErrorCode = keyof typeof TRANSLATION_ERRORS;

/**
 * A translation that failed for a stated reason. `retryable` says whether the
 * same request later might succeed (a backend that was down may come back; a
 * damaged document stays damaged).
 */
export class TranslationError extends Error {
  override name = 'TranslationError';
  readonly code: TranslationErrorCode;
  readonly retryable: boolean;

  constructor(
    code: TranslationErrorCode,
    message: string,
    { retryable = false, cause }: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.retryable = retryable;
  }
}
