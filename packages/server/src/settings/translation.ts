import type { BackendSettings } from '../translate/backends/create.js';
import { ConfigError } from './config-error.js';
import type { Settings } from './settings.js';

type TranslationSettings = Pick<
  Settings,
  'translator' | 'translateUrl' | 'translateModel' | 'translateApiKey' | 'translateTimeoutMs'
>;

/**
 * The translation backend the settings choose, with what it needs; a
 * {@link ConfigError} naming the missing setting when the libretranslate or
 * openai backend lacks its URL, or openai its model.
 */
export function translationBackend({
  translator: backend,
  translateUrl: url,
  translateModel: model,
  translateApiKey: apiKey,
  translateTimeoutMs: timeoutMs,
}: TranslationSettings): BackendSettings {
  if (backend === 'pseudo') return { backend };
  if (url === null) {
    const example = backend === 'libretranslate' ? 'http://127.0.0.1:5000' : 'https://api.openai.com/v1';
    throw new ConfigError(
      `--translate-backend ${backend} needs --translate-url (LONGRUN_TRANSLATE_URL), e.g. ${example}`,
    );
  }
  const http = { url, timeoutMs, ...(apiKey === null ? {} : { apiKey }) };
  if (backend === 'libretranslate') return { backend, ...http };
  if (model === null) {
    throw new ConfigError(
      '--translate-backend openai needs --translate-model (LONGRUN_TRANSLATE_MODEL), e.g. gpt-4o-mini',
    );
  }
  return { backend, model, ...http };
}
