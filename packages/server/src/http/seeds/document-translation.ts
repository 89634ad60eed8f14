import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import type { JobService } from '../../jobs/service.js';
import { TranslationError } from '../../translate/errors.js';
import { AUTO, checkLanguagePair } from '../../translate/languages.js';
import { toApiError } from '../errors.js';
import { DOCUMENT_TRANSLATION_TAG, documentTranslationView } from './document-translation-view.js';
import { sendMessageError } from './message-errors.js';

export const TRANSLATION_STARTED = 'Translation started';

const MEDIA_TYPE = /^[A-Za-z0-9][\w.+-]*\/[\w.+-]+$/;

interface Upload {
  bytes: Buffer;
  filename: string;
  mediaType: string;
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
 * and makes a `document.translate` job of it. Until longrun takes file
 * uploads, the file travels in the job's input as a data: URL, so an upload
 * may be at most `uploadLimit` bytes (--body-limit). Errors are
 * `{"error": "…", "detail": "…"}`, the same sentence for both kinds of client.
 */
export async function documentTranslationRoutes(
  app: FastifyInstance,
  { service, uploadLimit }: { service: JobService; uploadLimit: number },
): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: uploadLimit, files: 1, fields: 10, fieldSize: 1024, parts: 11, headerPairs: 100 },
  });
  const fail = (reply: FastifyReply, err: unknown) => {
    const apiErr = toApiError(err as Error);
    const status = apiErr.statusCode === 422 ? 400 : apiErr.statusCode;
    const message =
      apiErr.code === 'payload_too_large'
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
      let upload: Upload;
      let pair: { source: string; target: string };
      try {
        upload = await readUpload(request);
        pair = checkLanguagePair(
          {
            source: upload.fields.get('source_language') || AUTO,
            target: upload.fields.get('target_language') ?? '',
          },
          { autoSource: true },
        );
      } catch (err) {
        if (err instanceof TranslationError) {
          return sendMessageError(reply, 400, documentTranslationView.errorBody(err.message));
        }
        return fail(reply, err);
      }
      const { bytes, filename, mediaType } = upload;
      const created = await service
        .create(
          request.tenant,
          {
            type: documentTranslationView.type,
            input: {
              document_url: `data:${mediaType};base64,${bytes.toString('base64')}`,
              ...(filename ? { filename } : {}),
              source_language: pair.source,
              target_language: pair.target,
            },
          },
          // The data: URL is made here from an upload --body-limit already bounded.
          { serverMadeInput: true },
        )
        .catch((err: unknown) => err as Error);
      if (created instanceof Error) return fail(reply, created);
      const { job } = created;
      return reply
        .code(202)
        .header('location', `/api/v1/status/${encodeURIComponent(job.id)}`)
        .send({ job_id: job.id, status: 'started', message: TRANSLATION_STARTED });
    },
  );
}

/** The upload's file and fields; an {@link ApiError} when it is not a form with one non-empty file. */
async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new ApiError('unsupported_media_type', {
      message: 'Send the document as multipart/form-data, with the file in a field named "file".',
    });
  }
  const fields = new Map<string, string>();
  let file: Omit<Upload, 'fields'> | null = null;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      // read even when it is not ours, so that the rest of the form can be read
      const bytes = await part.toBuffer();
      if (part.fieldname !== 'file') continue;
      const mediaType = part.mimetype.split(';', 1)[0]!.trim().toLowerCase();
      file = {
        bytes,
        filename: part.filename,
        mediaType: MEDIA_TYPE.test(mediaType) ? mediaType : 'application/octet-stream',
      };
    } else if (typeof part.value === 'string') {
      fields.set(part.fieldname, part.value.trim());
    }
  }
  if (!file)
    throw new ApiError('invalid_request', { message: 'No file uploaded: send it in a field named "file".' });
  if (file.bytes.length === 0)
    throw new ApiError('invalid_request', { message: 'The uploaded file is empty.' });
  return { ...file, fields };
}
