import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FileService } from '../../files/service.js';
import { pollHeaders } from '../../jobs/hints.js';
import { isValidJobId } from '../../jobs/ids.js';
import type { StoredJob } from '../../jobs/model.js';
import type { JobService } from '../../jobs/service.js';
import { sendArtifactFile } from '../artifacts.js';
import { type ApiV1View, JOB_NOT_FOUND } from './api-v1-view.js';
import { documentTranslationRoutes } from './document-translation.js';
import { documentTranslationView } from './document-translation-view.js';
import { renderErrorsAsMessages, sendMessageError } from './message-errors.js';
import { binary, messageErrors } from './responses.js';
import { textToVideoRoutes } from './text-to-video.js';
import { textToVideoView } from './text-to-video-view.js';

/** The job types that answer under /api/v1, each in its own API's shape. */
export const API_V1_VIEWS: readonly ApiV1View[] = Object.freeze([textToVideoView, documentTranslationView]);

export interface ApiV1Options {
  service: JobService;
  /** Where `POST /api/v1/translate` streams its uploads. */
  files: FileService;
  /** The largest document `POST /api/v1/translate` takes, in bytes. */
  uploadLimit: number;
  /** @default API_V1_VIEWS */
  views?: readonly ApiV1View[];
}

const jobIdParams = {
  type: 'object',
  required: ['job_id'],
  properties: { job_id: { type: 'string', description: 'The job_id the submit route answered with.' } },
} as const;

const notFoundSchema = {
  type: 'object',
  required: ['error', 'detail'],
  properties: { error: { type: 'string' }, detail: { type: 'string' } },
} as const;

/**
 * The `/api/v1` routes (register with that prefix). Their errors are
 * `{"error": "…"}`; an unknown job, or one of a type no API here shows,
 * is a 404 that clients of every API under this prefix understand.
 */
export async function apiV1Routes(
  app: FastifyInstance,
  { service, files, uploadLimit, views = API_V1_VIEWS }: ApiV1Options,
): Promise<void> {
  renderErrorsAsMessages(app);
  app.setNotFoundHandler((request, reply) =>
    sendMessageError(reply, 404, { error: `No route ${request.method} ${request.url.split('?', 1)[0]}` }),
  );
  for (const view of views) app.addSchema(view.statusSchema);
  const byType = new Map(views.map((v) => [v.type, v]));
  const tags = [...new Set(views.map((v) => v.tag))];
  const statusRefs = views.map((v) => ({ $ref: `${v.statusSchema.$id}#` }));

  /** The job and the view that shows it, or null: not found (or not of a type shown here). */
  async function find(tenant: string, id: string): Promise<{ job: StoredJob; view: ApiV1View } | null> {
    const job = isValidJobId(id) ? await service.find(tenant, id) : null;
    const view = job ? byType.get(job.type) : undefined;
    return job && view ? { job, view } : null;
  }
  const notFound = (reply: FastifyReply) => reply.code(404).send(JOB_NOT_FOUND);

  app.get<{ Params: { job_id: string } }>(
    '/status/:job_id',
    {
      schema: {
        operationId: 'getApiV1Status',
        summary: "A job's status, in the shape of the API its type belongs to",
        tags,
        params: jobIdParams,
        response: {
          200: statusRefs.length === 1 ? statusRefs[0] : { oneOf: statusRefs },
          404: notFoundSchema,
          ...messageErrors(401, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const found = await find(request.tenant, request.params.job_id);
      if (!found) return notFound(reply);
      return reply.headers(pollHeaders(found.job)).send(found.view.status(found.job));
    },
  );

  app.get<{ Params: { job_id: string } }>(
    '/download/:job_id',
    {
      exposeHeadRoute: false,
      schema: {
        operationId: 'downloadApiV1Result',
        summary: "A completed job's file (a text-to-video job's MP4, a document translation's document)",
        tags,
        params: jobIdParams,
        response: {
          200: binary(
            'The file, as an attachment: generated_video_<job_id>.mp4 for a text-to-video job, the translated ' +
              'document under its name (report.docx -> report.de.docx) for a document translation.',
          ),
          206: binary('The requested byte range.'),
          404: notFoundSchema,
          ...messageErrors(400, 401, 416, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const found = await find(request.tenant, request.params.job_id);
      if (!found) return notFound(reply);
      const { job, view } = found;
      const plan = view.download(job);
      if ('error' in plan) return sendMessageError(reply, plan.status, view.errorBody(plan.error));
      const { file } = await service.artifact(request.tenant, job.id, plan.artifact);
      if (!file) return sendMessageError(reply, 500, view.errorBody(view.fileMissing));
      try {
        return await sendArtifactFile(request, reply, {
          job,
          name: plan.artifact,
          file,
          ...(plan.filename === undefined ? {} : { filename: plan.filename }),
        });
      } catch (err) {
        if (reply.sent) throw err;
        const status = (err as { statusCode?: number }).statusCode;
        // A range past the end keeps its 416; the file going away or failing to open is the API's 500.
        if (status === 416) throw err;
        return sendMessageError(
          reply,
          500,
          view.errorBody(status === 404 ? view.fileMissing : `Error sending file: ${(err as Error).message}`),
        );
      }
    },
  );

  textToVideoRoutes(app, { service });
  await app.register(documentTranslationRoutes, { service, files, uploadLimit });
}
