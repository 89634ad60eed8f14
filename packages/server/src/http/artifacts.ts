import { extname } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StoredArtifact } from '../artifacts/storage.js';
import { ApiError } from '../errors.js';
import type { StoredJob } from '../jobs/model.js';
import type { JobService } from '../jobs/service.js';
import { checkJobId } from './jobs.js';
import { errors } from './schemas.js';
import { sendFile } from './send-file.js';

export { parseRange } from './send-file.js';

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
  return sendFile(request, reply, {
    path: stored?.path ?? null,
    contentType: () => contentType(job, name),
    filename,
    withBody,
    notFound: () => {
      const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
      return new ApiError('artifact_not_found', {
        message: `Job ${id} has no artifact ${JSON.stringify(shown)}.`,
      });
    },
  });
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
