import type { StoredJob } from '../../jobs/model.js';
import type { MessageError } from './message-errors.js';

/**
 * What `GET /api/v1/download/{id}` sends for a job: one of its artifacts, or
 * an error in the words of the job's seed.
 */
export type DownloadPlan =
  | {
      artifact: string;
      /** The name it is downloaded as. @default the artifacts route's name for it */
      filename?: string;
    }
  | { status: 400 | 500; error: string };

/**
 * How jobs of one type answer under `/api/v1`, in the shape of the API that
 * type serves there (text-to-video; document translation). Those APIs share
 * `GET /api/v1/status/{id}` and `GET /api/v1/download/{id}`: the routes find
 * the job, then its type's view writes the reply.
 */
export interface ApiV1View {
  /** The job type. */
  readonly type: string;
  /** The OpenAPI tag of the API the view belongs to. */
  readonly tag: string;
  /** The JSON Schema of {@link status}'s body (the OpenAPI document lists one per view). */
  readonly statusSchema: Record<string, unknown>;
  /** The job as the seed's status route shows it. */
  status(job: StoredJob): Record<string, unknown>;
  /** What the download route sends for the job as it is now. */
  download(job: StoredJob): DownloadPlan;
  /** The 500 error when the planned artifact is listed but its file is gone. */
  readonly fileMissing: string;
  /** An error of the download route in the API's shape. */
  errorBody(error: string): MessageError;
}

/**
 * The 404 of the shared routes, for clients of either API: the text-to-video
 * API's read `error`, the document-translation API's (FastAPI) read `detail`.
 */
export const JOB_NOT_FOUND = Object.freeze({ error: 'Job not found', detail: 'Job not found' });
