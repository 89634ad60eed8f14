import { describe, expect, it } from 'vitest';
import { TEXT_TO_VIDEO_STAGES, textToVideoView } from '../../../src/http/seeds/text-to-video-view.js';
import type { StoredJob } from '../../../src/jobs/model.js';
import { storedJob } from '../../helpers/jobs.js';

const job = (patch: Partial<StoredJob> = {}) =>
  storedJob({
    type: 'text.to_video',
    input: { text: 'hi' },
    created_at: '2022-03-30T16:00:00.750Z',
    logs: ['a line'],
    ...patch,
  });

describe("the text-to-video API's view of a job", () => {
  it('starts queued at 0, with the submission time in whole epoch seconds', () => {
    expect(textToVideoView.status(job())).toEqual({
      status: 'queued',
      progress: 0,
      message: 'Job queued',
      created_at: 1648656000,
      logs: ['a line'],
    });
  });

  it("walks the API's stages at 20, 40, 60, 80 and 90 with its messages, as the processor enters them", () => {
    expect(Object.values(TEXT_TO_VIDEO_STAGES).map((s) => s.progress)).toEqual([20, 40, 60, 80, 90]);
    for (const [stage, { progress, message }] of Object.entries(TEXT_TO_VIDEO_STAGES)) {
      expect(textToVideoView.status(job({ status: 'running', stage, progress }))).toMatchObject({
        status: 'processing',
        progress,
        message,
      });
    }
    expect(
      textToVideoView.status(job({ status: 'running', stage: 'scene_planning', progress: 60 })).message,
    ).toBe('Generating video search queries...');
  });

  it('ends completed at 100 with the download path, or failed with why', () => {
    expect(textToVideoView.status(job({ status: 'completed', progress: 100 }))).toMatchObject({
      status: 'completed',
      progress: 100,
      message: 'Video generation completed',
      output_file: '/api/v1/download/j1',
    });
    const failed = textToVideoView.status(
      job({ status: 'failed', progress: 40, error: { code: 'speech_failed', message: 'no voice' } }),
    );
    expect(failed).toMatchObject({ status: 'failed', progress: 40, error: 'no voice' });
    expect(textToVideoView.status(job({ status: 'canceled' }))).toMatchObject({ status: 'failed' });
  });

  it('downloads only a completed job that lists its video', () => {
    expect(textToVideoView.download(job({ status: 'running' }))).toEqual({
      status: 400,
      error: 'Video not ready for download',
    });
    expect(textToVideoView.download(job({ status: 'completed', output: { artifacts: [] } }))).toEqual({
      status: 500,
      error: 'Output file not found',
    });
    expect(
      textToVideoView.download(job({ status: 'completed', output: { artifacts: [{ name: 'video.mp4' }] } })),
    ).toEqual({ artifact: 'video.mp4' });
  });
});
