import { finished } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import type { FileService } from '../../files/service.js';
import type { JobService } from '../../jobs/service.js';
import type { StoredFile } from '../../store/file-row.js';
import { TranslationError } from '../../translate/errors.js';
import { AUTO, checkLanguagePair } from '../../translate/languages.js';
import { toApiError } from '../errors.js';
import { DOCUMENT_TRANSLATION_TAG, documentTranslationView } from './document-translation-view.js';
import { sendMessageError } from './message-errors.js';

export const TRANSLATION_STARTED = 'Translation started';

const MEDIA_TYPE = /^[A-Za-z0-9][\w.+-]*\/[\w.+-]+$/;

interface Upload {
  file: StoredFile;
  fields: Map<string, string>;
}

const errorBody = {
  type: 'object',
  required: ['error', 'detail'],
  properties: { error: { type: 'string' }, detail: { type: 'string' } },
} as const;

/**
 * The document-translation API's submit route under `/api/v1` (status and
 * download are shared, in api-v1.ts): `POST /translate` takes a
 * multipart/form-data upload (`file`, `source_language`, `target_language`)
 * and makes a `document.translate` job of it. The file is streamed into an
 * uploaded file (as `POST /v1/files` does) and the job's input names its id,
 * so the document is never in memory nor in the job's row; an upload may be
 * at most `uploadLimit` bytes. Errors are
 * `{"error": "…", "detail": "…"}`, the same sentence for both kinds of client.
 */
export async function documentTranslationRoutes(
  app: FastifyInstance,
  { service, files, uploadLimit }: { service: JobService; files: FileService; uploadLimit: number },
): Promise<void> {
  await app.register(multipart, {
    // One byte over, so that the file service sees the excess and answers file_too_large.
    limits: { fileSize: uploadLimit + 1, files: 1, fields: 10, fieldSize: 1024, parts: 11, headerPairs: 100 },
  });
  const fail = (reply: FastifyReply, err: unknown) => {
    const apiErr = toApiError(err as Error);
    const status = apiErr.statusCode === 422 ? 400 : apiErr.statusCode;
    const message =
      apiErr.code === 'payload_too_large' || apiErr.code === 'file_too_large'
        ? `The file is larger than ${uploadLimit} bytes, the most this server takes in one upload.`
        : apiErr.message;
    return sendMessageError(
      reply.headers(apiErr.headers),
      status,
      documentTranslationView.errorBody(message),
    );
  };

  app.post(
    '/translate',
    {
      // The schema describes the form for the OpenAPI document; the handler reads and checks the stream itself.
      attachValidation: true,
      schema: {
        operationId: 'translateDocument',
        summary: 'Start a document translation job',
        description:
          'A multipart/form-data upload: `file` (plain text, Markdown, SubRip, WebVTT, HTML or DOCX, at most ' +
          `--body-limit bytes), \`target_language\` (e.g. de), \`source_language\` (e.g. en, or auto; default auto). ` +
          'Poll GET /api/v1/status/{job_id}; download the result from GET /api/v1/download/{job_id}.',
        tags: [DOCUMENT_TRANSLATION_TAG],
        body: {
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['file', 'target_language'],
                properties: {
                  file: { type: 'string', format: 'binary', description: 'The document.' },
                  source_language: { type: 'string', description: 'e.g. en, or auto (the default).' },
                  target_language: { type: 'string', description: 'e.g. de or pt-BR.' },
                },
              },
            },
          },
        },
        response: {
          202: {
            type: 'object',
            required: ['job_id', 'status', 'message'],
            properties: {
              job_id: { type: 'string' },
              status: { type: 'string', enum: ['started'] },
              message: { type: 'string' },
            },
          },
          400: errorBody,
          401: errorBody,
          406: errorBody,
          413: errorBody,
          415: errorBody,
          429: errorBody,
          500: errorBody,
        },
      },
    },
    async (request, reply) => {
      let upload: Upload | undefined;
      let pair: { source: string; target: string };
      try {
        upload = await readUpload(request, files, uploadLimit);
        pair = checkLanguagePair(
          {
            source: upload.fields.get('source_language') || AUTO,
            target: upload.fields.get('target_language') ?? '',
          },
          { autoSource: true },
        );
      } catch (err) {
        if (upload) await files.delete(request.tenant, upload.file.id).catch(() => undefined);
        if (err instanceof TranslationError) {
          return sendMessageError(reply, 400, documentTranslationView.errorBody(err.message));
        }
        return fail(reply, err);
      }
      const { file } = upload;
      const created = await service
        .create(request.tenant, {
          type: documentTranslationView.type,
          input: {
            document_url: file.id,
            filename: file.filename,
            source_language: pair.source,
            target_language: pair.target,
          },
        })
        .catch((err: unknown) => err as Error);
      if (created instanceof Error) {
        await files.delete(request.tenant, file.id).catch(() => undefined);
        return fail(reply, created);
      }
      const { job } = created;
      return reply
        .code(202)
        .header('location', `/api/v1/status/${encodeURIComponent(job.id)}`)
        .send({ job_id: job.id, status: 'started', message: TRANSLATION_STARTED });
    },
  );
}

/**
 * The upload's fields, and its file streamed into an uploaded file of the
 * tenant (`maxBytes` at most); an {@link ApiError} when it is not a form with
 * one non-empty file. A file stored before the form turns out wrong is deleted.
 */
async function readUpload(request: FastifyRequest, files: FileService, maxBytes: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new ApiError('unsupported_media_type', {
      message: 'Send the document as multipart/form-data, with the file in a field named "file".',
    });
  }
  const fields = new Map<string, string>();
  let file: StoredFile | null = null;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file) {
          // read even when it is not ours, so that the rest of the form can be read
          part.file.resume();
          await finished(part.file);
          continue;
        }
        const mediaType = part.mimetype.split(';', 1)[0]!.trim().toLowerCase();
        file = await files.upload(request.tenant, part.file, {
          filename: part.filename,
          contentType: MEDIA_TYPE.test(mediaType) ? mediaType : 'application/octet-stream',
          maxBytes,
        });
      } else if (typeof part.value === 'string') {
        fields.set(part.fieldname, part.value.trim());
      }
    }
    if (!file)
      throw new ApiError('invalid_request', {
        message: 'No file uploaded: send it in a field named "file".',
      });
    if (file.bytes === 0) throw new ApiError('invalid_request', { message: 'The uploaded file is empty.' });
    return { file, fields };
  } catch (err) {
    if (file) await files.delete(request.tenant, file.id).catch(() => undefined);
    throw err;
  }
}
