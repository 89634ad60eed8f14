import type { TranslateOptions } from './backend.js';
import { baseUrl } from './base-url.js';
import { type HttpOptions, type JsonRequest, requestJson, UnusableReply } from './http.js';
import { HttpBackend, translationList } from './http-backend.js';

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
export class LibreTranslateBackend extends HttpBackend {
  readonly name = 'libretranslate';
  readonly #base: string;
  readonly #apiKey: string | undefined;

  constructor({ url, apiKey, maxTexts = 25, maxChars = 4000, ...http }: LibreTranslateOptions) {
    super({ maxTexts, maxChars }, http);
    this.#base = baseUrl(url, 'LibreTranslate');
    this.#apiKey = apiKey;
  }

  protected override translationRequest(
    texts: readonly string[],
    { source, target }: TranslateOptions,
  ): JsonRequest<string[]> {
    return {
      backend: 'LibreTranslate',
      url: `${this.#base}/translate`,
      body: {
        q: texts,
        source,
        target,
        format: 'text',
        ...(this.#apiKey === undefined ? {} : { api_key: this.#apiKey }),
      },
      read: (json) => {
        const translated = (json as { translatedText?: unknown } | null)?.translatedText;
        // a server given one text may answer with a string
        const list = typeof translated === 'string' && texts.length === 1 ? [translated] : translated;
        return translationList(list, texts.length, 'answered without a translatedText array of strings');
      },
    };
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
      this.http,
    );
  }
}
