import { type LibreTranslateServer, startLibreTranslateServer } from '@longrun/testkit';
import { describe, expect, it } from 'vitest';
import { pseudoLocalize } from '../../src/translate/backends/pseudo.js';
import { FORMATS } from '../../src/translate/formats/detect.js';
import type { FormatName } from '../../src/translate/formats/format.js';
import { call, eventually, startApp } from '../helpers/app.js';
import { afterThisTest, useCleanup } from '../helpers/cleanup.js';
import {
  docxFixture,
  type Fixture,
  htmlFixture,
  markdownFixture,
  plainTextFixture,
  subRipFixture,
  webVttFixture,
} from '../translate/fixtures.js';
import { structure } from '../translate/structure.js';

useCleanup();

const fixtures: Array<[FormatName, Fixture, string]> = [
  ['text', plainTextFixture, 'notes.de.txt'],
  ['markdown', markdownFixture, 'README.de.md'],
  ['subrip', subRipFixture, 'talk.de.srt'],
  ['webvtt', webVttFixture, 'lecture.de.vtt'],
  ['html', htmlFixture, 'page.de.html'],
  ['docx', docxFixture(), 'report.de.docx'],
];

const dataUrl = ({ bytes, contentType }: Fixture) =>
  `data:${contentType};base64,${Buffer.from(bytes).toString('base64')}`;

async function libreTranslate(): Promise<LibreTranslateServer> {
  const server = await startLibreTranslateServer();
  afterThisTest(() => server.close());
  return server;
}

/** A server whose document.translate jobs translate through `server`, and more flags. */
function appWith(server: LibreTranslateServer, ...argv: string[]) {
  return startApp({
    argv: ['--translate-backend', 'libretranslate', '--translate-url', server.url, ...argv],
  });
}

async function submit(url: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await call(url, 'POST', '/v1/jobs', { body: { type: 'document.translate', input, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id as string;
}

async function ended(url: string, id: string): Promise<any> {
  return eventually(async () => {
    const { body } = await call(url, 'GET', `/v1/jobs/${id}?wait=10&until=terminal`);
    return ['completed', 'failed', 'canceled'].includes(body.status) ? body : null;
  }, 60_000);
}

/** Translate a fixture as a job; the job and its output file. */
async function translated(url: string, fixture: Fixture) {
  const id = await submit(url, {
    document_url: dataUrl(fixture),
    filename: fixture.filename,
    source_language: 'en',
    target_language: 'de',
  });
  const job = await ended(url, id);
  expect(job.status, JSON.stringify(job.error)).toBe('completed');
  const res = await fetch(`${url}${job.output.output_url}`);
  expect(res.status).toBe(200);
  return { job, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe('document.translate', () => {
  it.each(fixtures)(
    '%s through a LibreTranslate server: every text translated once, the output in its format and shape',
    async (format, fixture, name) => {
      const server = await libreTranslate();
      const { url } = await appWith(server);
      const { job, bytes } = await translated(url, fixture);
      expect(Object.fromEntries(server.counts)).toEqual(Object.fromEntries(fixture.texts.map((t) => [t, 1])));
      expect(FORMATS[format].parse(bytes).segments).toEqual(fixture.texts.map((t) => t.toUpperCase()));
      expect(await structure(format, bytes)).toEqual(await structure(format, fixture.bytes));
      expect(job.output).toMatchObject({
        output_file: name,
        filename: name,
        format,
        content_type: FORMATS[format].contentType,
        source_language: 'en',
        target_language: 'de',
        backend: 'libretranslate',
        segments: fixture.texts.length,
        processing_type: 'advanced',
        format_preservation: true,
        artifacts: [{ name, content_type: FORMATS[format].contentType, size: bytes.length }],
      });
      expect(job.progress).toBe(100);
      const stages = ['fetching_document', 'extracting', 'translating', 'writing_output'];
      for (const stage of stages) expect(job.logs.some((l: string) => l.startsWith(`${stage}:`))).toBe(true);
    },
  );

  it.each(fixtures)('%s through the pseudo backend, the default', async (format, fixture) => {
    const { url } = await startApp();
    const { job, bytes } = await translated(url, fixture);
    expect(job.output.backend).toBe('pseudo');
    expect(FORMATS[format].parse(bytes).segments).toEqual(fixture.texts.map(pseudoLocalize));
    expect(await structure(format, bytes)).toEqual(await structure(format, fixture.bytes));
  });

  it('reports 20 once the text is read, rising to 80 through translation, and 100 once it is stored', async () => {
    const server = await libreTranslate();
    // 100 paragraphs: 4 requests of 25 texts, each held a little, so that every step is seen
    const text = Array.from({ length: 100 }, (_, i) => `Paragraph number ${i + 1}.`).join('\n\n');
    server.delayNext(4, 300);
    const { url, app } = await appWith(server);
    const seen: number[] = [];
    afterThisTest(
      app.longrun.feed.subscribeAll((job) => {
        if (job.type === 'document.translate') seen.push(job.progress);
      }),
    );
    const fixture: Fixture = {
      filename: 'long.txt',
      contentType: 'text/plain',
      bytes: new TextEncoder().encode(text),
      texts: [],
      kept: [],
    };
    await translated(url, fixture);
    expect(server.requests).toHaveLength(4);
    const steps = [...new Set(seen)];
    expect(steps[0]).toBe(0);
    expect(steps).toContain(20);
    expect(steps.at(-1)).toBe(100);
    const between = steps.filter((p) => p > 20 && p < 100);
    expect(between.length).toBeGreaterThan(1);
    expect(Math.max(...between)).toBe(80);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]!);
  });

  it('fails with translation_backend_unavailable when the backend is down, after bounded retries', async () => {
    const server = await libreTranslate();
    const { url } = await appWith(server);
    await server.down();
    const id = await submit(
      url,
      { document_url: dataUrl(plainTextFixture), target_language: 'de' },
      { max_attempts: 1 },
    );
    const job = await ended(url, id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('translation_backend_unavailable');
    expect(job.error.message).toMatch(/could not be reached.*\(3 attempts\)/);
    expect(job.logs.filter((l: string) => /retry \d in/.test(l))).toHaveLength(2);
  });

  it('times out a backend that does not answer, and fails the job with the same code', async () => {
    const server = await libreTranslate();
    server.delayNext(10, 30_000);
    const { url } = await appWith(server, '--translate-timeout', '200ms');
    const id = await submit(
      url,
      { document_url: dataUrl(plainTextFixture), target_language: 'de' },
      { max_attempts: 1 },
    );
    const job = await ended(url, id);
    expect(job.error).toEqual({
      code: 'translation_backend_unavailable',
      message: expect.stringMatching(/gave no answer within 200 ms \(3 attempts\)/),
    });
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once with translation_failed when the backend refuses the language', async () => {
    const server = await libreTranslate();
    const { url } = await appWith(server);
    const id = await submit(url, { document_url: dataUrl(plainTextFixture), target_language: 'sw' });
    const job = await ended(url, id);
    expect(job).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'translation_failed' } });
    expect(job.error.message).toMatch(/refused the request with 400: sw is not supported/);
  });

  it('fails a document of no translated format with unsupported_document, and refuses bad input at submit', async () => {
    const { url } = await startApp();
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const id = await submit(url, { document_url: png, filename: 'pixel.png', target_language: 'de' });
    expect((await ended(url, id)).error.code).toBe('unsupported_document');
    const bad = await call(url, 'POST', '/v1/jobs', {
      body: {
        type: 'document.translate',
        input: { document_url: 'file:///etc/passwd', target_language: 'de' },
      },
    });
    expect(bad.status).toBe(422);
  });
});
