export type { BatchLimits, TranslateOptions, TranslationBackend } from './backends/backend.js';
export { BACKEND_NAMES, type BackendName, type BackendSettings, createBackend } from './backends/create.js';
export type { HttpOptions, RetryInfo } from './backends/http.js';
export {
  LibreTranslateBackend,
  type LibreTranslateLanguage,
  type LibreTranslateOptions,
} from './backends/libretranslate.js';
export { OpenAIChatBackend, type OpenAIChatOptions } from './backends/openai-chat.js';
export { PseudoBackend, pseudoLocalize } from './backends/pseudo.js';
export {
  EXTRACTED_PROGRESS,
  TRANSLATED_PROGRESS,
  type TranslateDocumentOptions,
  type TranslatedDocument,
  translateDocument,
} from './engine.js';
export { TRANSLATION_ERRORS, TranslationError, type TranslationErrorCode } from './errors.js';
export { type DetectOptions, detectFormat, FORMATS } from './formats/detect.js';
export type { DocumentFormat, FormatName, ParsedDocument } from './formats/format.js';
export { AUTO, checkLanguagePair, type LanguagePair, languageName, normalizeLanguage } from './languages.js';
export { outputFilename } from './output-name.js';
