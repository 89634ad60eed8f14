import type { StoredJob } from '../../jobs/model.js';
import type { ApiV1View, DownloadPlan } from './api-v1-view.js';

/** The status values of the text-to-video API. */
export type TextToVideoStatus = 'queued' | 'processing' | 'completed' | 'failed';

/**
 * The API's stages, each with its progress and message, keyed by the stage
 * the text.to_video processor reports on entering the step that does that
 * work here: speech is the audio, timed captions the captions, planning the
 * frames stands where search queries were made, and preparing the background
 * (a colour or a fetched picture) where background video was fetched.
 */
export const TEXT_TO_VIDEO_STAGES: Readonly<Record<string, { progress: number; message: string }>> =
  Object.freeze({
    audio_generation: { progress: 20, message: 'Generating audio...' },
    caption_generation: { progress: 40, message: 'Generating captions...' },
    scene_planning: { progress: 60, message: 'Generating video search queries...' },
    background_preparation: { progress: 80, message: 'Fetching background video...' },
    rendering: { progress: 90, message: 'Rendering video...' },
  });

/** The OpenAPI tag of the text-to-video API's routes. */
export const TEXT_TO_VIDEO_TAG = 'text-to-video';

export const QUEUED_MESSAGE = 'Job queued';
export const STARTED_MESSAGE = 'Video generation started';
export const COMPLETED_MESSAGE = 'Video generation completed';

const VIDEO = 'video.mp4';

export const textToVideoStatusSchema = {
  $id: 'TextToVideoStatus',
  type: 'object',
  required: ['status', 'progress', 'message', 'created_at', 'logs'],
  properties: {
    status: { type: 'string', enum: ['queued', 'processing', 'completed', 'failed'] },
    progress: {
      type: 'integer',
      minimum: 0,
      maximum: 100,
      description:
        'Stages start at 0 (queued), 20 (audio), 40 (captions), 60 (search queries), 80 (background), ' +
        '90 (rendering) and reach 100 when the video is ready.',
    },
    message: { type: 'string' },
    created_at: { type: 'integer', description: 'When the job was submitted, in seconds since the epoch.' },
    logs: { type: 'array', items: { type: 'string' }, description: "The job's newest log lines." },
    output_file: { type: 'string', description: 'Once completed: where to download the video.' },
    error: { type: 'string', description: 'Once failed: why.' },
  },
} as const;

function statusOf(job: StoredJob): TextToVideoStatus {
  switch (job.status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'processing';
    case 'completed':
      return 'completed';
    case 'failed':
    case 'canceled':
      return 'failed';
  }
}

function messageOf(job: StoredJob): string {
  switch (job.status) {
    case 'queued':
      return QUEUED_MESSAGE;
    case 'running':
      return (job.stage && TEXT_TO_VIDEO_STAGES[job.stage]?.message) || STARTED_MESSAGE;
    case 'completed':
      return COMPLETED_MESSAGE;
    case 'failed':
      return `Video generation failed: ${job.error?.message ?? 'unknown error'}`;
    case 'canceled':
      return 'Video generation was canceled';
  }
}

/** The text-to-video API's view of a `text.to_video` job. */
export const textToVideoView: ApiV1View = {
  type: 'text.to_video',
  tag: TEXT_TO_VIDEO_TAG,
  statusSchema: textToVideoStatusSchema,
  status(job) {
    const body: Record<string, unknown> = {
      status: statusOf(job),
      // A retry waits at 0 again: the API's stages start over with the attempt.
      progress: job.status === 'queued' ? 0 : job.progress,
      message: messageOf(job),
      created_at: Math.floor(Date.parse(job.created_at) / 1000),
      logs: job.logs,
    };
    if (job.status === 'completed') body.output_file = `/api/v1/download/${encodeURIComponent(job.id)}`;
    if (job.status === 'failed' || job.status === 'canceled') {
      body.error = job.error?.message ?? 'The job was canceled.';
    }
    return body;
  },
  download(job): DownloadPlan {
    if (job.status !== 'completed') return { status: 400, error: 'Video not ready for download' };
    const listed = job.output?.artifacts;
    const hasVideo =
      Array.isArray(listed) && listed.some((a) => (a as { name?: unknown } | null)?.name === VIDEO);
    return hasVideo ? { artifact: VIDEO } : { status: 500, error: 'Output file not found' };
  },
  fileMissing: 'Video file not found',
  errorBody: (error) => ({ error }),
};
