import type { TranslationBackend } from './backend.js';
import { LibreTranslateBackend, type LibreTranslateOptions } from './libretranslate.js';
import { OpenAIChatBackend, type OpenAIChatOptions } from './openai-chat.js';
import { PseudoBackend } from './pseudo.js';

/** The backends there are, by the name settings choose them with. */
export const BACKEND_NAMES = ['pseudo', 'libretranslate', 'openai'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

/** A backend and its settings. */
export type BackendSettings =
  | { backend: 'pseudo' }
  | ({ backend: 'libretranslate' } & LibreTranslateOptions)
  | ({ backend: 'openai' } & OpenAIChatOptions);

/** The backend named in the settings; a TypeError when a setting it needs is missing or wrong. */
export function createBackend(settings: BackendSettings): TranslationBackend {
  switch (settings.backend) {
    case 'pseudo':
      return new PseudoBackend();
    case 'libretranslate': {
      const { backend: _, ...options } = settings;
      return new LibreTranslateBackend(options);
    }
    case 'openai': {
      const { backend: _, ...options } = settings;
      return new OpenAIChatBackend(options);
    }
    default:
      throw new TypeError(
        `Unknown translation backend "${(settings as { backend: unknown }).backend}"; use one of ${BACKEND_NAMES.join(', ')}.`,
      );
  }
}
