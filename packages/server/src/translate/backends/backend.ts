export interface TranslateOptions {
  /** A language tag, or `auto` for a backend that detects the language. */
  source: string;
  target: string;
  /** Stops the translation at once; the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** How many texts, and how many characters in all, one call should carry at most. */
export interface BatchLimits {
  maxTexts: number;
  maxChars: number;
}

/**
 * A machine translator. `translate` answers one translation per text, in the
 * same order, or throws a {@link TranslationError}:
 * `translation_backend_unavailable` (retryable) when the service could not
 * be reached or kept failing, `translation_failed` when it refused or its
 * answers could not be used.
 */
export interface TranslationBackend {
  /** The backend's kind, e.g. "libretranslate". */
  readonly name: string;
  /** Whether `auto` is accepted as the source language. */
  readonly detectsLanguage: boolean;
  readonly batch: BatchLimits;
  translate(texts: readonly string[], options: TranslateOptions): Promise<string[]>;
}
