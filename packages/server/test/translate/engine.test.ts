import { type LibreTranslateServer, startLibreTranslateServer } from '@longrun/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TranslationBackend } from '../../src/translate/backends/backend.js';
import { LibreTranslateBackend } from '../../src/translate/backends/libretranslate.js';
import { PseudoBackend, pseudoLocalize } from '../../src/translate/backends/pseudo.js';
import { translateDocument } from '../../src/translate/engine.js';
import { TranslationError } from '../../src/translate/errors.js';
import { FORMATS } from '../../src/translate/formats/detect.js';
import type { FormatName } from '../../src/translate/formats/format.js';
import {
  docxFixture,
  type Fixture,
  htmlFixture,
  markdownFixture,
  plainTextFixture,
  subRipFixture,
  webVttFixture,
} from './fixtures.js';
import { structure } from './structure.js';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const encode = (text: string) => new TextEncoder().encode(text);

const fixtures: Array<[FormatName, Fixture, string]> = [
  ['text', plainTextFixture, 'notes.es.txt'],
  ['markdown', markdownFixture, 'README.es.md'],
  ['subrip', subRipFixture, 'talk.es.srt'],
  ['webvtt', webVttFixture, 'lecture.es.vtt'],
  ['html', htmlFixture, 'page.es.html'],
  ['docx', docxFixture(), 'report.es.docx'],
];

describe('translateDocument through a LibreTranslate server', () => {
  let server: LibreTranslateServer;
  beforeEach(async () => {
    server = await startLibreTranslateServer();
  });
  afterEach(() => server.close());

  const backend = (options: { maxTexts?: number } = {}) =>
    new LibreTranslateBackend({
      url: server.url,
      retryBaseMs: 10,
      retryMaxMs: 20,
      timeoutMs: 10_000,
      ...options,
    });

  it.each(fixtures)(
    '%s: every text translated once, the output in the same format and shape',
    async (format, fixture, name) => {
      const progress: Array<[number, string]> = [];
      const result = await translateDocument({
        ...fixture,
        source: 'en',
        target: 'es',
        backend: backend(),
        onProgress: (p, m) => progress.push([p, m]),
      });
      expect(Object.fromEntries(server.counts)).toEqual(Object.fromEntries(fixture.texts.map((t) => [t, 1])));
      expect(result).toMatchObject({
        filename: name,
        format,
        contentType: FORMATS[format].contentType,
        source: 'en',
        target: 'es',
        segments: fixture.texts.length,
        uniqueSegments: fixture.texts.length,
        keptOriginal: 0,
      });
      // the output reads as its format again, with the translations as its text
      expect(FORMATS[format].parse(result.bytes).segments).toEqual(fixture.texts.map((t) => t.toUpperCase()));
      expect(await structure(format, result.bytes)).toEqual(await structure(format, fixture.bytes));
      if (format !== 'docx') for (const kept of fixture.kept) expect(decode(result.bytes)).toContain(kept);
      expect(progress[0]).toEqual([
        20,
        expect.stringMatching(new RegExp(`^extracted ${fixture.texts.length} segments`)),
      ]);
      expect(progress.at(-1)![0]).toBe(80);
    },
  );

  it('sends a text repeated in the document once, and puts its translation everywhere', async () => {
    const srt = encode(
      '1\n00:00:01,000 --> 00:00:02,000\nYes.\n\n2\n00:00:03,000 --> 00:00:04,000\nNo.\n\n3\n00:00:05,000 --> 00:00:06,000\nYes.\n',
    );
    const result = await translateDocument({
      bytes: srt,
      filename: 'a.srt',
      source: 'en',
      target: 'es',
      backend: backend(),
    });
    expect(Object.fromEntries(server.counts)).toEqual({ 'Yes.': 1, 'No.': 1 });
    expect(decode(result.bytes).match(/YES\./g)).toHaveLength(2);
    expect(result).toMatchObject({ segments: 3, uniqueSegments: 2, batches: 1 });
  });

  it('batches within the backend limit, and progress rises with each batch from 20 to 80', async () => {
    const progress: number[] = [];
    const result = await translateDocument({
      ...htmlFixture,
      source: 'en',
      target: 'es',
      backend: backend({ maxTexts: 4 }),
      onProgress: (p) => progress.push(p),
    });
    expect(result.batches).toBe(Math.ceil(htmlFixture.texts.length / 4));
    expect(server.requests.map((r) => JSON.parse(r.body).q.length)).toEqual([4, 4, 4, 1]);
    expect(progress).toHaveLength(result.batches + 1);
    expect(progress[0]).toBe(20);
    expect(progress.at(-1)).toBe(80);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
  });

  it('normalises language codes and refuses bad ones before any request', async () => {
    await translateDocument({ ...plainTextFixture, source: 'EN', target: 'pt_br', backend: backend() });
    expect(JSON.parse(server.requests[0]!.body)).toMatchObject({ source: 'en', target: 'pt-BR' });
    for (const [source, target, message] of [
      ['english', 'es', /source_language "english" is not a language code/],
      ['en', 'auto', /target_language "auto"/],
      ['es', 'ES', /both "es"/],
    ] as const) {
      const err = await translateDocument({ ...plainTextFixture, source, target, backend: backend() }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(TranslationError);
      expect(err.code).toBe('invalid_language');
      expect(err.message).toMatch(message);
    }
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the original of a text the backend answered with nothing', async () => {
    const blanks = await startLibreTranslateServer({
      translate: (t) => (t === 'Meeting notes' ? '' : t.toUpperCase()),
    });
    try {
      const result = await translateDocument({
        ...plainTextFixture,
        source: 'en',
        target: 'es',
        backend: new LibreTranslateBackend({ url: blanks.url, timeoutMs: 10_000 }),
      });
      expect(result.keptOriginal).toBe(1);
      expect(decode(result.bytes).startsWith('Meeting notes\n\nTHE TEAM')).toBe(true);
    } finally {
      await blanks.close();
    }
  });

  it('a document without text needs no request and comes back as it was', async () => {
    const srt = encode('1\n00:00:01,000 --> 00:00:02,000\n♪ ♪\n');
    const progress: number[] = [];
    const result = await translateDocument({
      bytes: srt,
      filename: 'music.srt',
      source: 'auto',
      target: 'de',
      backend: backend(),
      onProgress: (p) => progress.push(p),
    });
    expect(result.bytes).toEqual(srt);
    expect(progress).toEqual([20, 80]);
    expect(server.requests).toHaveLength(0);
  });

  it('fails with the backend error when the server is down, after bounded retries', async () => {
    await server.down();
    const err = await translateDocument({
      ...subRipFixture,
      source: 'en',
      target: 'es',
      backend: new LibreTranslateBackend({
        url: server.url,
        timeoutMs: 10_000,
        maxRetries: 1,
        retryBaseMs: 10,
      }),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(TranslationError);
    expect(err.code).toBe('translation_backend_unavailable');
  });

  it('stops at once when its signal fires mid-translation, and sends nothing after', async () => {
    server.delayNext(1, 10_000);
    const controller = new AbortController();
    const pending = translateDocument({
      ...htmlFixture,
      source: 'en',
      target: 'es',
      backend: backend({ maxTexts: 4 }),
      signal: controller.signal,
      onProgress: (p) => {
        if (p === 20) setTimeout(() => controller.abort(new Error('job canceled')), 20);
      },
    });
    await expect(pending).rejects.toThrow('job canceled');
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a document it cannot read with unsupported_document', async () => {
    const err = await translateDocument({
      bytes: encode('%PDF-1.4 binary'),
      filename: 'paper.pdf',
      source: 'en',
      target: 'es',
      backend: backend(),
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'unsupported_document', retryable: false });
  });
});

describe('translateDocument with the pseudo backend', () => {
  const pseudo: TranslationBackend = new PseudoBackend();

  it.each(fixtures)(
    '%s: every text pseudo-localised, the output in the same format and shape',
    async (format, fixture) => {
      const result = await translateDocument({ ...fixture, source: 'en', target: 'fr', backend: pseudo });
      expect(FORMATS[format].parse(result.bytes).segments).toEqual(fixture.texts.map(pseudoLocalize));
      expect(await structure(format, result.bytes)).toEqual(await structure(format, fixture.bytes));
      expect(result.filename).toMatch(/\.fr\.[a-z]+$/);
    },
  );
});
