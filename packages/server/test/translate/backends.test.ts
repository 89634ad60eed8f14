import {
  type ChatCompletionsServer,
  freePort,
  type LibreTranslateServer,
  startChatCompletionsServer,
  startLibreTranslateServer,
} from '@longrun/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/translate/backends/create.js';
import type { HttpOptions, RetryInfo } from '../../src/translate/backends/http.js';
import { LibreTranslateBackend } from '../../src/translate/backends/libretranslate.js';
import { OpenAIChatBackend, readTranslations } from '../../src/translate/backends/openai-chat.js';
import { pseudoLocalize } from '../../src/translate/backends/pseudo.js';
import { retryAfterMs } from '../../src/translate/backends/retry-after.js';
import { TranslationError } from '../../src/translate/errors.js';

/** Short delays, so that retries are quick; the counts, not the clock, are checked. */
const FAST: HttpOptions = { retryBaseMs: 10, retryMaxMs: 40, timeoutMs: 2000 };
const pair = { source: 'en', target: 'es' };

async function failure(promise: Promise<unknown>): Promise<TranslationError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TranslationError);
  return err as TranslationError;
}

describe('LibreTranslate backend', () => {
  let server: LibreTranslateServer;
  beforeEach(async () => {
    server = await startLibreTranslateServer({ apiKey: 'k1' });
  });
  afterEach(() => server.close());

  const backend = (options: Partial<HttpOptions> = {}) =>
    new LibreTranslateBackend({ url: server.url, apiKey: 'k1', ...FAST, ...options });

  it('sends q as an array with source, target, format and api_key, and reads the array back', async () => {
    expect(await backend().translate(['Hello', 'Good night'], pair)).toEqual(['HELLO', 'GOOD NIGHT']);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      q: ['Hello', 'Good night'],
      source: 'en',
      target: 'es',
      format: 'text',
      api_key: 'k1',
    });
    expect(Object.fromEntries(server.counts)).toEqual({ Hello: 1, 'Good night': 1 });
  });

  it('accepts auto as the source and lists the languages', async () => {
    expect(await backend().translate(['Bonjour'], { source: 'auto', target: 'en' })).toEqual(['BONJOUR']);
    const languages = await backend().languages();
    expect(languages.map((l) => l.code)).toContain('pt-BR');
  });

  it('down: connection refused is retried a bounded number of times, then translation_backend_unavailable', async () => {
    await server.down();
    const retries: RetryInfo[] = [];
    const err = await failure(
      backend({ maxRetries: 2, onRetry: (r) => retries.push(r) }).translate(['Hi'], pair),
    );
    expect(err.code).toBe('translation_backend_unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/could not be reached \(ECONNREFUSED\).*3 attempts/);
    expect(retries.map((r) => r.retry)).toEqual([1, 2]);
  });

  it('comes back: a server that is down for the first attempt answers the retry', async () => {
    await server.down();
    const backendPromise = backend({ retryBaseMs: 300, retryMaxMs: 300 }).translate(['Hi'], pair);
    setTimeout(() => void server.up(), 50);
    expect(await backendPromise).toEqual(['HI']);
  });

  it('slow: each attempt times out, then translation_backend_unavailable; the server saw every attempt', async () => {
    server.delayNext(3, 5000);
    const err = await failure(backend({ timeoutMs: 100, maxRetries: 2 }).translate(['Hi'], pair));
    expect(err.code).toBe('translation_backend_unavailable');
    expect(err.message).toMatch(/no answer within 100 ms/);
    expect(server.requests).toHaveLength(3);
    expect(server.counts.size).toBe(0);
  });

  it('5xx: retried, and a success after them is used', async () => {
    server.failNext(2, { status: 503, body: '{"error":"overloaded"}' });
    expect(await backend().translate(['Hi'], pair)).toEqual(['HI']);
    expect(server.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("5xx every time: translation_backend_unavailable with the server's words", async () => {
    server.failNext(10, { status: 500, body: '{"error":"model crashed"}' });
    const err = await failure(backend({ maxRetries: 1 }).translate(['Hi'], pair));
    expect(err.code).toBe('translation_backend_unavailable');
    expect(err.message).toContain('answered 500: model crashed');
    expect(server.requests).toHaveLength(2);
  });

  it('429: waits the Retry-After it is given before asking again', async () => {
    server.failNext(1, {
      status: 429,
      headers: { 'retry-after': '1' },
      body: '{"error":"Slowdown: 1 per 1 second"}',
    });
    const retries: RetryInfo[] = [];
    expect(await backend({ onRetry: (r) => retries.push(r) }).translate(['Hi'], pair)).toEqual(['HI']);
    expect(retries).toEqual([{ retry: 1, delayMs: 1000, reason: 'answered 429: Slowdown: 1 per 1 second' }]);
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('429 asking for a longer wait than allowed ends the retries at once', async () => {
    server.failNext(5, { status: 429, headers: { 'retry-after': '3600' } });
    const err = await failure(backend({ maxRetryAfterMs: 5000 }).translate(['Hi'], pair));
    expect(err.code).toBe('translation_backend_unavailable');
    expect(err.message).toMatch(/asked to wait 3600 s \(1 attempt\)/);
    expect(server.requests).toHaveLength(1);
  });

  it('malformed replies: retried, then translation_failed', async () => {
    server.failNext(1, { status: 200, body: '<html>proxy error</html>' });
    server.failNext(1, { status: 200, body: '{"translatedText":["only one"]}' });
    server.failNext(1, { status: 200, body: '{"translatedText":[1, 2]}' });
    const err = await failure(backend({ maxRetries: 2 }).translate(['Hi', 'There'], pair));
    expect(err.code).toBe('translation_failed');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('without a translatedText array of strings');
    expect(server.requests).toHaveLength(3);
  });

  it('a refusal (bad key, unsupported language) is not retried: translation_failed with the reason', async () => {
    const withoutKey = new LibreTranslateBackend({ url: server.url, ...FAST });
    const badKey = await failure(withoutKey.translate(['Hi'], pair));
    expect(badKey.code).toBe('translation_failed');
    expect(badKey.message).toContain('refused the request with 403: Invalid API key');
    const unsupported = await failure(backend().translate(['Hi'], { source: 'en', target: 'xx' }));
    expect(unsupported.message).toContain('400: xx is not supported');
    expect(server.requests).toHaveLength(2);
  });

  it('abort: a signal fired while the server holds the request stops it at once, with no retry', async () => {
    server.delayNext(1, 10_000);
    const controller = new AbortController();
    const pending = backend({ timeoutMs: 20_000 }).translate(['Hi'], { ...pair, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('canceled by the user')), 50);
    await expect(pending).rejects.toThrow('canceled by the user');
    expect(server.requests).toHaveLength(1);
  });

  it('abort: a signal fired during the backoff ends the wait', async () => {
    server.failNext(5, { status: 503 });
    const controller = new AbortController();
    const pending = backend({ retryBaseMs: 60_000, retryMaxMs: 60_000 }).translate(['Hi'], {
      ...pair,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await expect(pending).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(1);
  });
});

describe('chat-completions backend', () => {
  let server: ChatCompletionsServer;
  beforeEach(async () => {
    server = await startChatCompletionsServer({ apiKey: 'sk-test' });
  });
  afterEach(() => server.close());

  const backend = (options: Partial<HttpOptions> = {}) =>
    new OpenAIChatBackend({ url: server.url, model: 'tiny', apiKey: 'sk-test', ...FAST, ...options });

  it('asks for a JSON array in the same order and checks the answer', async () => {
    expect(await backend().translate(['One apple', 'Two pears'], { source: 'en', target: 'pt-BR' })).toEqual([
      'ONE APPLE',
      'TWO PEARS',
    ]);
    const body = JSON.parse(server.requests[0]!.body);
    expect(body.model).toBe('tiny');
    expect(body.messages[0].content).toContain('from English (en) into Brazilian Portuguese (pt-BR)');
    expect(body.messages[0].content).toContain('exactly 2 strings');
    expect(JSON.parse(body.messages[1].content)).toEqual(['One apple', 'Two pears']);
  });

  it('a reply of the wrong length is asked again; one in a code fence is read', async () => {
    server.replyNext(1, '["just one"]');
    server.replyNext(1, 'Here you go:\n```json\n["UNO", "DOS"]\n```');
    expect(await backend().translate(['One', 'Two'], pair)).toEqual(['UNO', 'DOS']);
    expect(server.requests).toHaveLength(2);
  });

  it('replies that stay unusable end in translation_failed', async () => {
    server.replyNext(3, 'I cannot translate that.');
    const err = await failure(backend({ maxRetries: 2 }).translate(['One'], pair));
    expect(err.code).toBe('translation_failed');
    expect(err.message).toContain('something other than a JSON array of strings (3 attempts)');
  });

  it('429 with retry-after-ms, then 500, then an answer', async () => {
    server.failNext(1, {
      status: 429,
      headers: { 'retry-after-ms': '200' },
      body: '{"error":{"message":"Rate limit reached"}}',
    });
    server.failNext(1, { status: 500, body: '{"error":{"message":"The server had an error"}}' });
    const retries: RetryInfo[] = [];
    expect(await backend({ onRetry: (r) => retries.push(r) }).translate(['One'], pair)).toEqual(['ONE']);
    expect(retries.map((r) => r.reason)).toEqual([
      'answered 429: Rate limit reached',
      'answered 500: The server had an error',
    ]);
    expect(retries[0]!.delayMs).toBe(200);
  });

  it('down and slow end in translation_backend_unavailable; a bad key in translation_failed', async () => {
    server.delayNext(2, 5000);
    const slow = await failure(backend({ timeoutMs: 100, maxRetries: 1 }).translate(['One'], pair));
    expect(slow.code).toBe('translation_backend_unavailable');
    const wrongKey = new OpenAIChatBackend({ url: server.url, model: 'tiny', apiKey: 'nope', ...FAST });
    const refused = await failure(wrongKey.translate(['One'], pair));
    expect(refused.message).toContain('401: Incorrect API key provided.');
    await server.down();
    const down = await failure(backend({ maxRetries: 1 }).translate(['One'], pair));
    expect(down.code).toBe('translation_backend_unavailable');
  });

  it('reads {"translations": [...]} objects and refuses truncated answers', () => {
    const reply = (content: string, finish = 'stop') => ({
      choices: [{ message: { content }, finish_reason: finish }],
    });
    expect(readTranslations(reply('{"translations": ["a", "b"]}'), 2)).toEqual(['a', 'b']);
    expect(() => readTranslations(reply('["a", "b"]', 'length'), 2)).toThrow(/length limit/);
    expect(() => readTranslations({}, 1)).toThrow(/without a message/);
  });
});

describe('pseudo-localisation', () => {
  it('accents, lengthens and brackets text, and leaves URLs and addresses alone', async () => {
    expect(pseudoLocalize('Hello world')).toBe('[Ĥéļļö ŵöŕļð ~~~]');
    expect(pseudoLocalize('See https://example.com or mail me@example.org')).toBe(
      '[Šéé https://example.com öŕ ɱáîļ me@example.org ~~~~~~~~~~~~~~]',
    );
    const backend = createBackend({ backend: 'pseudo' });
    expect(await backend.translate(['Hi'], pair)).toEqual(['[Ĥî ~]']);
    const aborted = AbortSignal.abort(new Error('gone'));
    await expect(backend.translate(['Hi'], { ...pair, signal: aborted })).rejects.toThrow('gone');
  });
});

describe('backend settings', () => {
  it('builds each backend by name and refuses settings it cannot use', async () => {
    expect(createBackend({ backend: 'libretranslate', url: 'http://127.0.0.1:5000/', ...FAST }).name).toBe(
      'libretranslate',
    );
    expect(
      createBackend({ backend: 'openai', url: 'http://127.0.0.1:11434/v1', model: 'llama3', ...FAST }).name,
    ).toBe('openai');
    expect(() => createBackend({ backend: 'libretranslate', url: 'ftp://x', ...FAST })).toThrow(TypeError);
    expect(() => createBackend({ backend: 'openai', url: 'http://x/v1', model: '', ...FAST })).toThrow(
      /model/,
    );
    expect(() => createBackend({ backend: 'deepl' } as never)).toThrow(
      /use one of pseudo, libretranslate, openai/,
    );
    // a port nothing listens on: refused at once, the same error as a server that went down
    const port = await freePort();
    const nowhere = createBackend({
      backend: 'libretranslate',
      url: `http://127.0.0.1:${port}`,
      ...FAST,
      maxRetries: 0,
    });
    const err = await failure(nowhere.translate(['Hi'], pair));
    expect(err.message).toMatch(/\(1 attempt\)/);
  });

  it('reads Retry-After as seconds or a date, and retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }), now)).toBe(150);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(retryAfterMs(new Headers(), now)).toBeNull();
  });
});
