import { readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isValidArtifactName } from '../artifacts/storage.js';
import { FILE_REF_PATTERN } from '../files/refs.js';
import { fetchInput } from '../media/fetch-input.js';
import type { AddressPolicy } from '../net/ssrf.js';
import { type BackendSettings, createBackend } from '../translate/backends/create.js';
import { translateDocument } from '../translate/engine.js';
import { TranslationError } from '../translate/errors.js';
import { FORMATS } from '../translate/formats/detect.js';
import { AUTO } from '../translate/languages.js';
import { JobFailure, UnrecoverableError } from './errors.js';
import type { Processor } from './processor.js';

export interface DocumentTranslateInput {
  document_url: string;
  filename?: string;
  source_language: string;
  target_language: string;
}

export interface DocumentTranslateOptions {
  /** The backend that translates, as the settings chose it. */
  backend: BackendSettings;
  /** Whether document_url may reach private addresses (--allow-private-urls). */
  policy: AddressPolicy;
}

/** The largest document fetched. */
export const DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;

/** Progress once the output file is stored: the job is done. */
const WRITTEN_PROGRESS = 100;

const LANGUAGE = '[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*';

/** How every document is translated: in place, its markup, timings and styling kept. */
export const PROCESSING = Object.freeze({ processing_type: 'advanced', format_preservation: true });

/**
 * Document translation: fetch the document, translate its text through
 * the backend the settings chose, write it back in its own format (plain
 * text, Markdown, SubRip, WebVTT, HTML, DOCX) and store it as an artifact.
 * Progress: 20 when the text is read, rising to 80 through translation,
 * 100 when the output is stored.
 */
export function documentTranslate({
  backend,
  policy,
}: DocumentTranslateOptions): Processor<DocumentTranslateInput> {
  return {
    type: 'document.translate',
    queue: 'translate',
    fileInputs: ['document_url'],
    work: 'waiting',
    description:
      `Translates a document (plain text, Markdown, SubRip, WebVTT, HTML or DOCX; an http, https or data: URL, at most ${DOCUMENT_MAX_BYTES / 1024 / 1024} MiB) ` +
      'from source_language (or auto) into target_language, keeping its format: markup, subtitle timings, ' +
      `paragraph and run styling. This server translates with the ${backend.backend} backend` +
      (backend.backend === 'pseudo'
        ? ' (pseudo-localisation: accented, lengthened text, not a translation).'
        : '.'),
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['document_url', 'target_language'],
      properties: {
        document_url: {
          type: 'string',
          minLength: 1,
          // a data: URL of the largest document, base64-encoded, and its header
          maxLength: Math.ceil((DOCUMENT_MAX_BYTES * 4) / 3) + 1024,
          pattern: `^(https?://|data:|(${FILE_REF_PATTERN})$)`,
          description:
            'The document: an http, https or data: URL, or an uploaded file (its file_… id or /v1/files/{id}/content).',
        },
        filename: {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          description:
            "The document's file name: it helps tell the format and names the output (report.docx -> report.es.docx).",
        },
        source_language: {
          type: 'string',
          pattern: `^(${LANGUAGE}|auto)$`,
          maxLength: 35,
          default: AUTO,
          description:
            'ISO 639-1 code of the language the document is in (e.g. "en"), or "auto" to detect it.',
        },
        target_language: {
          type: 'string',
          pattern: `^${LANGUAGE}$`,
          maxLength: 35,
          description: 'ISO 639-1 code of the language to translate into, e.g. "de" or "pt-BR".',
        },
      },
    },
    async run(ctx) {
      const { document_url, filename, source_language, target_language } = ctx.input;
      const { signal } = ctx;
      signal.throwIfAborted();
      const dir = await ctx.tempDir();
      const enter = (percent: number, stage: string, message: string) => {
        ctx.progress(percent, { stage, message });
        ctx.log(`${stage}: ${message}`);
      };

      enter(0, 'fetching_document', 'Fetching the document');
      const fetched = await fetchInput(document_url, {
        dest: join(dir, 'input'),
        signal,
        policy,
        // the format is told from the name and the bytes; an unknown one fails as unsupported_document
        accept: () => true,
        field: 'document_url',
        files: ctx.files,
        maxBytes: DOCUMENT_MAX_BYTES,
      });
      ctx.log(`fetched document_url: ${fetched.bytes} bytes, ${fetched.mediaType || 'no media type'}`);

      const translator = createBackend({
        ...backend,
        ...(backend.backend === 'pseudo'
          ? {}
          : {
              onRetry: ({ retry, delayMs, reason }) =>
                ctx.log(`translating: the backend ${reason}; retry ${retry} in ${Math.round(delayMs)} ms`),
            }),
      } as BackendSettings);
      let stage = '';
      const result = await translateDocument({
        bytes: await readFile(fetched.path),
        filename: filename ?? nameInUrl(document_url),
        contentType: fetched.mediaType || undefined,
        source: source_language,
        target: target_language,
        backend: translator,
        signal,
        onProgress: (percent, message) => {
          const now = stage === '' ? 'extracting' : 'translating';
          if (now !== stage) ctx.log(`${now}: ${message}`);
          stage = now;
          ctx.progress(percent, { stage, message });
        },
      }).catch((err: unknown) => {
        if (signal.aborted) throw signal.reason;
        if (!(err instanceof TranslationError)) throw err;
        if (err.retryable) throw new JobFailure(err.code, err.message, { cause: err });
        throw new UnrecoverableError(err.code, err.message, { cause: err });
      });
      ctx.log(
        `translated ${result.uniqueSegments} distinct of ${result.segments} segments ` +
          `(${result.characters} characters, ${result.batches} requests to the ${translator.name} backend)`,
      );

      const name = artifactName(result.filename, FORMATS[result.format].extensions[0]!);
      const out = join(dir, name);
      await writeFile(out, result.bytes);
      // A job canceled as the translation ended keeps no artifacts.
      signal.throwIfAborted();
      const artifact = await ctx.artifacts.put(name, out, result.contentType);
      enter(WRITTEN_PROGRESS, 'writing_output', `Wrote ${result.filename}`);
      return {
        output_file: artifact.name,
        output_url: artifact.url,
        artifacts: [artifact],
        filename: result.filename,
        format: result.format,
        content_type: result.contentType,
        source_language: result.source,
        target_language: result.target,
        backend: translator.name,
        segments: result.segments,
        unique_segments: result.uniqueSegments,
        characters: result.characters,
        batches: result.batches,
        kept_original: result.keptOriginal,
        ...PROCESSING,
      };
    },
  };
}

/** The last path segment of an http(s) URL, e.g. "report.docx"; undefined for a data: URL or none. */
function nameInUrl(url: string): string | undefined {
  if (url.startsWith('data:')) return undefined;
  try {
    const last = new URL(url).pathname.split('/').pop();
    return last ? decodeURIComponent(last) : undefined;
  } catch {
    // a path with a broken %-escape: the format is told from the bytes
    return undefined;
  }
}

/**
 * The output file's name as an artifact name (A-Z a-z 0-9 . _ -): other
 * characters become "_"; a name that still does not fit is "translated.<ext>".
 */
export function artifactName(filename: string, extension: string): string {
  const safe = filename.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.{2,}/g, '.');
  if (isValidArtifactName(safe)) return safe;
  const ext = extname(safe).slice(1) || extension;
  const fallback = `translated.${ext}`;
  return isValidArtifactName(fallback) ? fallback : `translated.${extension}`;
}
