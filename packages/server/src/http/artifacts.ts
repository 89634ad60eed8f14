import { type FileHandle, open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StoredArtifact } from '../artifacts/storage.js';
import { ApiError } from '../errors.js';
import type { StoredJob } from '../jobs/model.js';
import type { JobService } from '../jobs/service.js';
import { checkJobId } from './jobs.js';
import { errors } from './schemas.js';

type Params = { id: string; name: string };

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.vtt': 'text/vtt; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * `GET` and `HEAD /v1/jobs/{id}/artifacts/{name}`: a job's result file, for
 * the job's tenant only. Single byte ranges (206, or 416 past the end),
 * `ETag` with `If-None-Match` (304) and `If-Range`, a download name in
 * `Content-Disposition`. The file is streamed from an open handle, so the
 * headers and the bytes describe the same file even if it is replaced
 * meanwhile; a client that goes away closes it.
 */
export function artifactRoutes(app: FastifyInstance, { service }: { service: JobService }): void {
  const schema = {
    tags: ['jobs'],
    params: {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { type: 'string', description: 'The job id.' },
        name: { type: 'string', description: 'An artifact name from output.artifacts, e.g. video.mp4.' },
      },
    },
    response: {
      200: { description: 'The whole file.', type: 'string', format: 'binary' },
      206: { description: 'The requested byte range.', type: 'string', format: 'binary' },
      304: { description: 'Not modified (If-None-Match matched the ETag).', type: 'null' },
      ...errors(400, 401, 404, 416),
    },
  };
  app.get<{ Params: Params }>(
    '/v1/jobs/:id/artifacts/:name',
    {
      schema: {
        ...schema,
        operationId: 'downloadArtifact',
        summary: "Download a job's artifact (Range, ETag)",
      },
      exposeHeadRoute: false,
    },
    (request, reply) => sendArtifact(service, request, reply, true),
  );
  app.head<{ Params: Params }>(
    '/v1/jobs/:id/artifacts/:name',
    {
      schema: { ...schema, operationId: 'headArtifact', summary: "An artifact's headers: size, type, ETag" },
    },
    (request, reply) => sendArtifact(service, request, reply, false),
  );
}

async function sendArtifact(
  service: JobService,
  request: FastifyRequest<{ Params: Params }>,
  reply: FastifyReply,
  withBody: boolean,
): Promise<FastifyReply> {
  const id = checkJobId(request.params.id);
  const { name } = request.params;
  const { job, file } = await service.artifact(request.tenant, id, name);
  return sendArtifactFile(request, reply, { job, name, file, withBody });
}

/**
 * Send an artifact that {@link JobService.artifact} found (`file`; null when
 * there is none: artifact_not_found), honouring the request's Range and
 * validators. `filename` is what the client saves it as.
 */
export async function sendArtifactFile(
  request: FastifyRequest,
  reply: FastifyReply,
  {
    job,
    name,
    file: stored,
    withBody = true,
    filename = downloadName(job.id, name),
  }: {
    job: StoredJob;
    name: string;
    file: StoredArtifact | null;
    /** @default true */
    withBody?: boolean;
    /** @default downloadName(job.id, name) */
    filename?: string;
  },
): Promise<FastifyReply> {
  const { id } = job;
  let handle: FileHandle | null = null;
  try {
    if (stored) handle = await open(stored.path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!handle) {
    const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
    throw new ApiError('artifact_not_found', {
      message: `Job ${id} has no artifact ${JSON.stringify(shown)}.`,
    });
  }
  let streaming = false;
  try {
    const { size, mtime } = await handle.stat();
    const etag = `"${size.toString(16)}-${Math.floor(mtime.getTime()).toString(16)}"`;
    const validators = { etag, 'last-modified': mtime.toUTCString(), 'cache-control': 'private, no-cache' };
    if (matchesEtag(request.headers['if-none-match'], etag))
      return reply.code(304).headers(validators).send();

    let range = parseRange(request.headers.range, size);
    const ifRange = request.headers['if-range'];
    if (range !== null && ifRange !== undefined && ifRange !== etag) range = null;
    if (range === 'unsatisfiable') {
      throw new ApiError('range_not_satisfiable', {
        message: `The range ${request.headers.range} is outside the file of ${size} bytes.`,
        headers: { 'content-range': `bytes */${size}`, 'accept-ranges': 'bytes' },
      });
    }
    reply.headers({
      ...validators,
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-type': contentType(job, name),
      'content-disposition': `attachment; filename="${filename}"`,
    });
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    reply.header('content-length', String(Math.max(0, end - start + 1)));
    if (!withBody || size === 0) return reply.send();
    streaming = true;
    return reply.send(handle.createReadStream({ start, end, autoClose: true }));
  } finally {
    if (!streaming) await handle.close();
  }
}

function contentType(job: StoredJob, name: string): string {
  const listed = job.output?.artifacts;
  if (Array.isArray(listed)) {
    const entry = listed.find((a) => (a as { name?: unknown })?.name === name) as
      | { content_type?: unknown }
      | undefined;
    if (typeof entry?.content_type === 'string') return entry.content_type;
  }
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * What a browser saves the file as: `generated_<stem>_<job id><.ext>`, so
 * video.mp4 of job abc is generated_video_abc.mp4. The characters of a job
 * id that file systems refuse (the colon) become underscores.
 */
export function downloadName(jobId: string, name: string): string {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  return `generated_${stem}_${jobId.replace(/:/g, '_')}${ext}`;
}

/** If-None-Match: a list of entity tags (weak ones compare by their value) or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/**
 * A `Range` header for a file of `size` bytes: one range, a range past the
 * end ('unsatisfiable'), or null to send the whole file (no header, another
 * unit, several ranges, or a malformed one, which a server may ignore).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Number.POSITIVE_INFINITY : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}
