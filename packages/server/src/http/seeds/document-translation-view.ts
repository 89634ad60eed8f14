import type { StoredJob } from '../../jobs/model.js';
import { PROCESSING } from '../../processors/document-translate.js';
import type { ApiV1View, DownloadPlan } from './api-v1-view.js';

/** The status values of the document-translation API. */
export type DocumentTranslationStatus = 'started' | 'processing' | 'completed' | 'failed';

/** The OpenAPI tag of the document-translation API's routes. */
export const DOCUMENT_TRANSLATION_TAG = 'document-translation';

export const NOT_COMPLETED = 'Translation not completed';

const nullableString = { type: ['string', 'null'] } as const;

export const documentTranslationStatusSchema = {
  $id: 'DocumentTranslationStatus',
  type: 'object',
  required: [
    'status',
    'progress',
    'file_path',
    'source_language',
    'target_language',
    'created_at',
    'output_file',
    'error',
    'processing_type',
    'format_preservation',
  ],
  properties: {
    status: {
      type: 'string',
      enum: ['started', 'processing', 'completed', 'failed'],
      description: 'started: waiting for a worker; processing; completed; failed (or canceled).',
    },
    progress: {
      type: 'integer',
      minimum: 0,
      maximum: 100,
      description:
        '0 until the text is read, 20 when it is, rising to 80 through translation, 100 when the output is written.',
    },
    file_path: { type: 'string', description: "The uploaded document's file name (or its URL)." },
    source_language: { type: 'string', description: 'The language code given, or "auto".' },
    target_language: { type: 'string' },
    created_at: {
      type: 'string',
      format: 'date-time',
      description: 'When the job was submitted (ISO 8601, UTC).',
    },
    output_file: { ...nullableString, description: 'Once completed: where to download the translated file.' },
    error: { ...nullableString, description: 'Once failed: why.' },
    processing_type: { type: 'string', enum: [PROCESSING.processing_type] },
    format_preservation: { type: 'boolean', description: 'Always true: the output keeps the format.' },
  },
} as const;

function statusOf(job: StoredJob): DocumentTranslationStatus {
  switch (job.status) {
    case 'queued':
      return 'started';
    case 'running':
      return 'processing';
    case 'completed':
      return 'completed';
    case 'failed':
    case 'canceled':
      return 'failed';
  }
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** What the upload was called: its file name, else its URL when that is not a data: URL. */
function filePath(input: StoredJob['input']): string {
  const url = str(input.document_url) ?? '';
  return str(input.filename) ?? (url.startsWith('data:') ? 'document' : url);
}

/** The document-translation API's view of a `document.translate` job. */
export const documentTranslationView: ApiV1View = {
  type: 'document.translate',
  tag: DOCUMENT_TRANSLATION_TAG,
  statusSchema: documentTranslationStatusSchema,
  status(job) {
    const done = job.status === 'completed';
    const ended = job.status === 'failed' || job.status === 'canceled';
    return {
      status: statusOf(job),
      // A retry starts over at 0, as the API's progress does.
      progress: job.status === 'queued' ? 0 : job.progress,
      file_path: filePath(job.input),
      // once translated, the codes as used ("pt_br" -> "pt-BR")
      source_language: str(job.output?.source_language) ?? str(job.input.source_language) ?? 'auto',
      target_language: str(job.output?.target_language) ?? str(job.input.target_language) ?? '',
      created_at: job.created_at,
      output_file: done ? `/api/v1/download/${encodeURIComponent(job.id)}` : null,
      error: ended ? (job.error?.message ?? 'The job was canceled.') : null,
      ...PROCESSING,
    };
  },
  download(job): DownloadPlan {
    if (job.status !== 'completed') return { status: 400, error: NOT_COMPLETED };
    const name = str(job.output?.output_file);
    const listed = job.output?.artifacts;
    const has =
      name !== null &&
      Array.isArray(listed) &&
      listed.some((a) => (a as { name?: unknown } | null)?.name === name);
    return has ? { artifact: name, filename: name } : { status: 500, error: 'Output file not found' };
  },
  fileMissing: 'Output file not found',
  // FastAPI clients read `detail`; `error` is what every /api/v1 error has
  errorBody: (error) => ({ error, detail: error }),
};
