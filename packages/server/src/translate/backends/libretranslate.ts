import type { BatchLimits, TranslateOptions, TranslationBackend } from './backend.js';
import { baseUrl } from './base-url.js';
import { type HttpOptions, requestJson, UnusableReply } from './http.js';

export interface LibreTranslateOptions extends HttpOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5000`. */
  url: string;
  /** Sent as `api_key` when set (servers started with --api-keys want one). @default none */
  apiKey?: string | undefined;
  /** Texts per request (a server's --batch-limit must allow it). @default 25 */
  maxTexts?: number;
  /** Characters per request, all texts together (a server's --char-limit must allow it). @default 4000 */
  maxChars?: number;
}

/** A language a LibreTranslate server offers, and the targets it translates it to. */
export interface LibreTranslateLanguage {
  code: string;
  name: string;
  targets?: string[];
}

/**
 * The LibreTranslate HTTP API, as self-hosted LibreTranslate servers and
 * compatible services speak it: `POST /translate` with `q` as an array,
 * `source` (or `auto`), `target`, `format: "text"` and an optional
 * `api_key`; the answer's `translatedText` is an array in the same order.
 */
export class LibreTranslateBackend implements TranslationBackend {
  readonly name = 'libretranslate';
  readonly detectsLanguage = true;
  readonly batch: BatchLimits;
  readonly #base: string;
  readonly #apiKey: string | undefined;
  readonly #http: HttpOptions;

  constructor({ url, apiKey, maxTexts = 25, maxChars = 4000, ...http }: LibreTranslateOptions) {
    this.#base = baseUrl(url, 'LibreTranslate');
    this.#apiKey = apiKey;
    this.batch = { maxTexts, maxChars };
    this.#http = http;
  }

  async translate(texts: readonly string[], { source, target, signal }: TranslateOptions): Promise<string[]> {
    if (texts.length === 0) return [];
    return requestJson(
      {
        backend: 'LibreTranslate',
        url: `${this.#base}/translate`,
        body: {
          q: texts,
          source,
          target,
          format: 'text',
          ...(this.#apiKey === undefined ? {} : { api_key: this.#apiKey }),
        },
        signal,
        read: (json) => {
          const translated = (json as { translatedText?: unknown } | null)?.translatedText;
          // a server given one text may answer with a string
          const list = typeof translated === 'string' && texts.length === 1 ? [translated] : translated;
          if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
            throw new UnusableReply('answered without a translatedText array of strings');
          }
          if (list.length !== texts.length) {
            throw new UnusableReply(`answered ${list.length} translations for ${texts.length} texts`);
          }
          return list as string[];
        },
      },
      this.#http,
    );
  }

  /** The languages the server offers (`GET /languages`). */
  async languages({ signal }: { signal?: AbortSignal } = {}): Promise<LibreTranslateLanguage[]> {
    return requestJson(
      {
        backend: 'LibreTranslate',
        url: `${this.#base}/languages`,
        method: 'GET',
        signal,
        read: (json) => {
          if (!Array.isArray(json) || !json.every((l) => typeof l?.code === 'string')) {
            throw new UnusableReply('answered /languages without a list of languages');
          }
          return json as LibreTranslateLanguage[];
        },
      },
      this.#http,
    );
  }
}
