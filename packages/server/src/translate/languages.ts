import { TranslationError } from './errors.js';

/** The source code that asks the backend to detect the language. */
export const AUTO = 'auto';

// language (ISO 639-1, or 639-3 where there is no two-letter code), optional script, optional region
const TAG = /^([a-z]{2,3})(?:[-_]([a-z]{4}))?(?:[-_]([a-z]{2}|\d{3}))?$/i;

/**
 * A language tag in its usual case (`pt-br` -> `pt-BR`, `zh_hant` ->
 * `zh-Hant`), or an {@link TranslationError} `invalid_language` that says
 * what is expected.
 */
export function normalizeLanguage(code: string, { field = 'language' }: { field?: string } = {}): string {
  const match = TAG.exec(code.trim());
  if (!match) {
    throw new TranslationError(
      'invalid_language',
      `${field} "${code}" is not a language code; use an ISO 639-1 code such as en, es or pt-BR.`,
    );
  }
  const [, language, script, region] = match;
  let tag = language!.toLowerCase();
  if (script) tag += `-${script[0]!.toUpperCase()}${script.slice(1).toLowerCase()}`;
  if (region) tag += `-${region.toUpperCase()}`;
  return tag;
}

export interface LanguagePair {
  /** A language tag, or `auto` when the backend detects it. */
  source: string;
  target: string;
}

/**
 * Validate and normalise a source and target: `auto` is a source only, and
 * only for a backend that detects languages; the two must differ.
 */
export function checkLanguagePair(
  { source, target }: LanguagePair,
  { autoSource }: { autoSource: boolean },
): LanguagePair {
  const wantsAuto = source.trim().toLowerCase() === AUTO;
  if (wantsAuto && !autoSource) {
    throw new TranslationError(
      'invalid_language',
      'This translation backend cannot detect the source language; give source_language as a code such as en.',
    );
  }
  const pair = {
    source: wantsAuto ? AUTO : normalizeLanguage(source, { field: 'source_language' }),
    target: normalizeLanguage(target, { field: 'target_language' }),
  };
  if (pair.source === pair.target) {
    throw new TranslationError(
      'invalid_language',
      `source_language and target_language are both "${pair.target}"; nothing to translate.`,
    );
  }
  return pair;
}

const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/** The English name of a language tag ("pt-BR" -> "Brazilian Portuguese"), the tag itself when unknown. */
export function languageName(tag: string): string {
  if (tag === AUTO) return 'the language it is written in';
  try {
    return names.of(tag) ?? tag;
  } catch {
    // a well-formed tag ICU does not know: the tag is the best name there is
    return tag;
  }
}
