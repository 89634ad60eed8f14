import { languageName } from '../languages.js';
import type { TranslateOptions } from './backend.js';
import { baseUrl } from './base-url.js';
import { type HttpOptions, type JsonRequest, UnusableReply } from './http.js';
import { HttpBackend, translationList } from './http-backend.js';

export interface OpenAIChatOptions extends HttpOptions {
  /** The API's base URL, the part before `/chat/completions`, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`. */
  url: string;
  /** The model to ask, e.g. `gpt-4o-mini` or `llama3.1`. */
  model: string;
  /** Sent as `Authorization: Bearer <key>` when set. @default none */
  apiKey?: string | undefined;
  /** @default 0 */
  temperature?: number;
  /** Texts per request. @default 20 */
  maxTexts?: number;
  /** Characters per request, all texts together. @default 4000 */
  maxChars?: number;
}

/**
 * A chat-completions API (OpenAI, and the servers that copy it: vLLM,
 * llama.cpp, Ollama, LiteLLM…): the texts go as a JSON array, the model is
 * told to answer a JSON array of translations in the same order, and the
 * answer is checked (JSON, strings, as many as were sent) before it is
 * used; an answer that fails the check is asked again.
 */
export class OpenAIChatBackend extends HttpBackend {
  readonly name = 'openai';
  readonly #url: string;
  readonly #model: string;
  readonly #apiKey: string | undefined;
  readonly #temperature: number;

  constructor({
    url,
    model,
    apiKey,
    temperature = 0,
    maxTexts = 20,
    maxChars = 4000,
    ...http
  }: OpenAIChatOptions) {
    if (!model) throw new TypeError('The chat-completions backend needs a model name.');
    super({ maxTexts, maxChars }, http);
    this.#url = `${baseUrl(url, 'chat-completions')}/chat/completions`;
    this.#model = model;
    this.#apiKey = apiKey;
    this.#temperature = temperature;
  }

  protected override translationRequest(
    texts: readonly string[],
    { source, target }: TranslateOptions,
  ): JsonRequest<string[]> {
    return {
      backend: `Chat completions (${this.#model})`,
      url: this.#url,
      headers: this.#apiKey === undefined ? {} : { authorization: `Bearer ${this.#apiKey}` },
      body: {
        model: this.#model,
        temperature: this.#temperature,
        messages: [
          { role: 'system', content: instructions(source, target, texts.length) },
          { role: 'user', content: JSON.stringify(texts) },
        ],
      },
      read: (json) => readTranslations(json, texts.length),
    };
  }
}

function instructions(source: string, target: string, count: number): string {
  const from = source === 'auto' ? 'whatever language they are in' : `${languageName(source)} (${source})`;
  return [
    `You are a translation engine. The user sends a JSON array of ${count} text${count === 1 ? '' : 's'} from a document.`,
    `Translate each one from ${from} into ${languageName(target)} (${target}).`,
    `Answer with only a JSON array of exactly ${count} string${count === 1 ? '' : 's'}: the translations, in the same order, one for each text, never merged or split.`,
    'Keep numbers, URLs, e-mail addresses, code and punctuation at the edges as they are. Add no notes, no explanations, no code fences.',
  ].join(' ');
}

/** The translations in a chat-completions answer, or an {@link UnusableReply} saying what is wrong with it. */
export function readTranslations(json: unknown, count: number): string[] {
  const choice = (
    json as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }> } | null
  )?.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string') throw new UnusableReply('answered without a message');
  if (choice?.finish_reason === 'length') throw new UnusableReply('stopped its answer at the length limit');
  // models often wrap JSON in a code fence or a sentence: take the outermost array or object
  const start = content.search(/[[{]/);
  const end = Math.max(content.lastIndexOf(']'), content.lastIndexOf('}'));
  let parsed: unknown;
  try {
    parsed = start >= 0 && end > start ? JSON.parse(content.slice(start, end + 1)) : undefined;
  } catch {
    parsed = undefined;
  }
  const list =
    parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? Object.values(parsed).find(Array.isArray)
      : parsed;
  return translationList(list, count, 'answered with something other than a JSON array of strings');
}
