import type { BatchLimits, TranslateOptions, TranslationBackend } from './backend.js';
import { type HttpOptions, type JsonRequest, requestJson, UnusableReply } from './http.js';

/**
 * A translator behind an HTTP API: each batch is one JSON request, retried
 * as {@link requestJson} does, whose answer holds one translation per text.
 */
export abstract class HttpBackend implements TranslationBackend {
  abstract readonly name: string;
  readonly detectsLanguage = true;
  readonly batch: BatchLimits;
  protected readonly http: HttpOptions;

  constructor(batch: BatchLimits, http: HttpOptions) {
    this.batch = batch;
    this.http = http;
  }

  async translate(texts: readonly string[], options: TranslateOptions): Promise<string[]> {
    if (texts.length === 0) return [];
    return requestJson({ ...this.translationRequest(texts, options), signal: options.signal }, this.http);
  }

  /** The request for the translations of `texts`; its `read` checks them with {@link translationList}. */
  protected abstract translationRequest(
    texts: readonly string[],
    options: TranslateOptions,
  ): JsonRequest<string[]>;
}

/**
 * `list` when it holds a string for each of `count` texts; otherwise an
 * {@link UnusableReply}, with `notStrings` as its message when `list` is not
 * an array of strings at all.
 */
export function translationList(list: unknown, count: number, notStrings: string): string[] {
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) throw new UnusableReply(notStrings);
  if (list.length !== count)
    throw new UnusableReply(`answered ${list.length} translations for ${count} texts`);
  return list;
}
