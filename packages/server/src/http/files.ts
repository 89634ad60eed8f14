import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { FILE_ID_PATTERN, fileContentPath, isFileId } from '../files/refs.js';
import type { FileService } from '../files/service.js';
import { mediaTypeOf } from '../files/sniff.js';
import type { StoredFile } from '../store/file-row.js';
import { cursorPage, decodeCursor } from './jobs.js';
import { errors, pageOf, pageQuery } from './schemas.js';
import { sendFile } from './send-file.js';

/** An uploaded file as the API shows it. */
export const fileSchema = {
  $id: 'File',
  type: 'object',
  required: [
    'id',
    'object',
    'filename',
    'content_type',
    'bytes',
    'sha256',
    'created_at',
    'expires_at',
    'url',
  ],
  properties: {
    id: { type: 'string', description: 'file_ and 24 hex digits; put it in a job input that takes a URL.' },
    object: { type: 'string', enum: ['file'] },
    filename: { type: 'string' },
    content_type: {
      type: 'string',
      description:
        'As declared, checked against the first bytes; detected when sent as application/octet-stream.',
    },
    bytes: { type: 'integer' },
    sha256: { type: 'string', description: 'SHA-256 of the bytes, hex.' },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: {
      type: 'string',
      format: 'date-time',
      description: 'When it is deleted (--file-retention).',
    },
    url: { type: 'string', description: 'The bytes: /v1/files/{id}/content (also accepted in job inputs).' },
  },
} as const;

const fileRef = { $ref: 'File#' } as const;

const fileParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: `File id: ${FILE_ID_PATTERN}` } },
} as const;

export function fileJson(file: StoredFile) {
  return {
    id: file.id,
    object: 'file' as const,
    filename: file.filename,
    content_type: file.content_type,
    bytes: file.bytes,
    sha256: file.sha256,
    created_at: file.created_at,
    expires_at: file.expires_at,
    url: fileContentPath(file.id),
  };
}

function checkFileId(id: string): string {
  if (isFileId(id)) return id;
  const shown = id.length > 80 ? `${id.slice(0, 80)}…` : id;
  throw new ApiError('file_not_found', {
    message: `No file ${JSON.stringify(shown)}; file ids look like file_…`,
  });
}

/** The `filename` of a Content-Disposition header (`filename*=UTF-8''…` first). */
export function dispositionName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      // a malformed encoding: fall back to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  return plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]) : undefined;
}

/**
 * Uploaded files: `POST /v1/files` (a raw body of any type, or a
 * multipart/form-data form with a `file` field), list, metadata, content
 * (Range, ETag) and delete, each for the caller's tenant only. The upload
 * route's scope has no body parser: the body streams from the socket to disk,
 * so neither --body-limit nor memory bounds it, --max-file-size does.
 */
export async function fileRoutes(app: FastifyInstance, { files }: { files: FileService }): Promise<void> {
  app.addSchema(fileSchema);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Every type, and none: the body is left unread for the handler, which streams request.raw.
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    await scope.register(multipart, {
      limits: {
        fileSize: files.maxBytes + 1,
        files: 1,
        fields: 10,
        fieldSize: 1024,
        parts: 11,
        headerPairs: 100,
      },
    });
    scope.post<{ Querystring: { filename?: string } }>(
      '/v1/files',
      {
        schema: {
          operationId: 'uploadFile',
          summary: 'Upload a file (streamed) to use as a job input',
          description:
            'The body is the file, with its Content-Type (or application/octet-stream to have it detected) and its name ' +
            'in ?filename= or Content-Disposition; or a multipart/form-data form with the file in a field named file. ' +
            'At most --max-file-size bytes.',
          tags: ['files'],
          querystring: {
            type: 'object',
            properties: { filename: { type: 'string', maxLength: 255 } },
          },
          body: {
            content: {
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: { file: { type: 'string', format: 'binary' } },
                },
              },
            },
          },
          response: { 201: fileRef, ...errors(400, 401, 413, 422, 429) },
        },
        // The body schema above only describes the route; the handler reads the stream.
        attachValidation: true,
      },
      async (request, reply) => {
        const invalid = request.validationError as (Error & { validationContext?: string }) | undefined;
        if (invalid && invalid.validationContext !== 'body') throw invalid;
        try {
          const file = await upload(files, request);
          return reply.code(201).header('location', `/v1/files/${file.id}`).send(fileJson(file));
        } catch (err) {
          // Answered before the body ended (too large, cut short): the rest is dropped and the
          // connection closed (see answerAndLinger in errors.ts).
          if (!request.raw.complete) reply.header('connection', 'close');
          throw mapUploadError(err);
        }
      },
    );
  });

  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/v1/files',
    {
      schema: {
        operationId: 'listFiles',
        summary: 'List uploaded files, newest first',
        tags: ['files'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: pageQuery,
        },
        response: {
          200: pageOf(fileRef),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const found = await files.list(request.tenant, {
        limit: limit + 1,
        beforeSeq: decodeCursor(request.query.cursor),
      });
      const { data, next_cursor } = cursorPage(found, limit);
      return { data: data.map(fileJson), next_cursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/files/:id',
    {
      schema: {
        operationId: 'getFile',
        summary: "An uploaded file's metadata",
        tags: ['files'],
        params: fileParams,
        response: { 200: fileRef, ...errors(401, 404) },
      },
    },
    async (request) => fileJson(await files.get(request.tenant, checkFileId(request.params.id))),
  );

  const contentSchema = {
    tags: ['files'],
    params: fileParams,
    response: {
      200: { description: 'The whole file.', type: 'string', format: 'binary' },
      206: { description: 'The requested byte range.', type: 'string', format: 'binary' },
      304: { description: 'Not modified (If-None-Match matched the ETag).', type: 'null' },
      ...errors(401, 404, 416),
    },
  };
  const sendContent = async (
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    withBody: boolean,
  ) => {
    const id = checkFileId(request.params.id);
    const { file, path } = await files.content(request.tenant, id);
    return sendFile(request, reply, {
      path,
      contentType: () => file.content_type,
      filename: file.filename,
      withBody,
      notFound: () => new ApiError('file_not_found', { message: `File ${id} is gone (deleted or expired).` }),
    });
  };
  app.get<{ Params: { id: string } }>(
    '/v1/files/:id/content',
    {
      schema: {
        ...contentSchema,
        operationId: 'downloadFile',
        summary: "An uploaded file's bytes (Range, ETag)",
      },
      exposeHeadRoute: false,
    },
    (request, reply) => sendContent(request, reply, true),
  );
  app.head<{ Params: { id: string } }>(
    '/v1/files/:id/content',
    {
      schema: {
        ...contentSchema,
        operationId: 'headFile',
        summary: "An uploaded file's headers: size, type, ETag",
      },
    },
    (request, reply) => sendContent(request, reply, false),
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/files/:id',
    {
      schema: {
        operationId: 'deleteFile',
        summary: 'Delete an uploaded file',
        tags: ['files'],
        params: fileParams,
        response: {
          200: {
            type: 'object',
            required: ['id', 'object', 'deleted'],
            properties: {
              id: { type: 'string' },
              object: { type: 'string', enum: ['file'] },
              deleted: { type: 'boolean' },
            },
          },
          ...errors(401, 404),
        },
      },
    },
    async (request) => {
      const file = await files.delete(request.tenant, checkFileId(request.params.id));
      return { id: file.id, object: 'file', deleted: true };
    },
  );
}

/** Stream the request's file (raw body or the form's `file` field) into the file service. */
async function upload(files: FileService, request: FastifyRequest<{ Querystring: { filename?: string } }>) {
  if (request.isMultipart()) {
    const part = await request.file();
    if (part?.fieldname !== 'file') {
      throw new ApiError('invalid_request', {
        message:
          'No file in the form: send it in a field named "file" (or send the file itself as the body).',
      });
    }
    return files.upload(request.tenant, part.file, {
      filename: part.filename,
      contentType: mediaTypeOf(part.mimetype),
    });
  }
  return files.upload(request.tenant, request.raw, {
    filename: request.query.filename ?? dispositionName(request.headers['content-disposition']),
    contentType: mediaTypeOf(request.headers['content-type']),
  });
}

/** @fastify/multipart's own size error, when busboy notices first, is ours too. */
function mapUploadError(err: unknown): unknown {
  if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return new ApiError('file_too_large');
  return err;
}
