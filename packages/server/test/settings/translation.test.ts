import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { translationBackend } from '../../src/settings/translation.js';

const load = (argv: string[] = [], env: Record<string, string> = {}) =>
  loadConfig({ argv, env, cwd: '/srv' });

describe('the translation backend settings', () => {
  it('choose the pseudo backend by default, with a timeout for every request', () => {
    const config = load();
    expect(config).toMatchObject({
      translator: 'pseudo',
      translateUrl: null,
      translateModel: null,
      translateApiKey: null,
      translateTimeoutMs: 120_000,
    });
    expect(translationBackend(config)).toEqual({ backend: 'pseudo' });
  });

  it('give a LibreTranslate server its URL, key and timeout, from flags or variables', () => {
    const config = load(['--translate-backend', 'libretranslate', '--translate-timeout', '5s'], {
      LONGRUN_TRANSLATE_URL: 'http://127.0.0.1:5000',
      LONGRUN_TRANSLATE_API_KEY: 'k1',
    });
    expect(translationBackend(config)).toEqual({
      backend: 'libretranslate',
      url: 'http://127.0.0.1:5000',
      apiKey: 'k1',
      timeoutMs: 5000,
    });
  });

  it('give a chat-completions API its URL and model', () => {
    const config = load([
      '--translate-backend',
      'openai',
      '--translate-url',
      'https://api.openai.com/v1',
      '--translate-model',
      'gpt-4o-mini',
    ]);
    expect(translationBackend(config)).toEqual({
      backend: 'openai',
      url: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 120_000,
    });
  });

  it('refuse to start without what the backend needs, saying which setting is missing', () => {
    expect(() => load(['--translate-backend', 'libretranslate'])).toThrow(ConfigError);
    expect(() => load(['--translate-backend', 'libretranslate'])).toThrow(/--translate-url/);
    expect(() =>
      load(['--translate-backend', 'openai', '--translate-url', 'http://127.0.0.1:11434/v1']),
    ).toThrow(/--translate-model/);
    expect(() => load(['--translate-backend', 'deepl'])).toThrow(/--translate-backend/);
    expect(() => load(['--translate-backend', 'libretranslate', '--translate-url', 'ftp://x'])).toThrow(
      /http or https/,
    );
    expect(() => load([], { LONGRUN_TRANSLATE_TIMEOUT: '10ms' })).toThrow(/LONGRUN_TRANSLATE_TIMEOUT/);
  });
});
