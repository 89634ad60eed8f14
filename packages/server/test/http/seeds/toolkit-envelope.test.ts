import { describe, expect, it } from 'vitest';
import {
  queueId,
  statusEnvelope,
  submitEnvelope,
  toolkitJobStatus,
} from '../../../src/http/seeds/toolkit-envelope.js';
import { SERVER_VERSION } from '../../../src/internal/version.js';
import type { StoredJob } from '../../../src/jobs/model.js';
import { storedJob } from '../../helpers/jobs.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const job = (patch: Partial<StoredJob> = {}) =>
  storedJob({ type: 'image.to_video', created_at: at(0), lease_owner: null, ...patch });

const ctx = { queueLength: 3, origin: 'http://127.0.0.1:8000' };

describe('the toolkit envelope', () => {
  it('maps every job state to a job_status', () => {
    expect(toolkitJobStatus('queued')).toBe('queued');
    expect(toolkitJobStatus('running')).toBe('running');
    expect(toolkitJobStatus('completed')).toBe('done');
    expect(toolkitJobStatus('failed')).toBe('error');
    expect(toolkitJobStatus('canceled')).toBe('error');
  });

  it('carries the times of the job: waiting, running, and both, in seconds to the millisecond', () => {
    const queued = submitEnvelope(job(), { ...ctx, now: T0 + 1234 });
    expect(queued).toMatchObject({ code: 202, run_time: 0, queue_time: 1.234, total_time: 1.234 });
    const running = statusEnvelope(job({ status: 'running', started_at: at(2456) }), {
      ...ctx,
      now: T0 + 10_000,
    });
    expect(running).toMatchObject({ run_time: 7.544, queue_time: 2.456, total_time: 10 });
    const done = statusEnvelope(job({ status: 'completed', started_at: at(2456), finished_at: at(47_579) }), {
      ...ctx,
      now: T0 + 99_999,
    });
    expect(done).toMatchObject({ run_time: 45.123, queue_time: 2.456, total_time: 47.579 });
    const canceledWhileQueued = statusEnvelope(job({ status: 'canceled', finished_at: at(500) }), ctx);
    expect(canceledWhileQueued).toMatchObject({ run_time: 0, queue_time: 0.5, total_time: 0.5 });
  });

  it('names this process, the queue, its length and the server version, and echoes the caller id', () => {
    const env = submitEnvelope(job({ metadata: { id: 'request-123' } }), ctx);
    expect(env).toEqual({
      code: 202,
      id: 'request-123',
      job_id: 'j1',
      response: null,
      message: 'Job queued successfully',
      run_time: 0,
      queue_time: expect.any(Number),
      total_time: expect.any(Number),
      pid: process.pid,
      queue_id: queueId('simulate'),
      queue_length: 3,
      build_number: SERVER_VERSION,
    });
    expect(submitEnvelope(job({ metadata: { id: 7 } }), ctx).id).toBeNull();
  });

  it('gives a queue a stable positive 31-bit number of its own', () => {
    expect(queueId('default')).toBe(queueId('default'));
    expect(queueId('default')).not.toBe(queueId('video'));
    for (const name of ['default', 'video', 'x'.repeat(100)]) {
      expect(Number.isInteger(queueId(name)) && queueId(name) >= 0 && queueId(name) < 2 ** 31).toBe(true);
    }
  });

  it('shows the process running a job from its lease, and none before or after', () => {
    const running = statusEnvelope(
      job({ status: 'running', started_at: at(1), lease_owner: 'node-a:4242:beef' }),
      ctx,
    );
    expect(running.response).toMatchObject({ job_status: 'running', process_id: 4242, response: null });
    expect(statusEnvelope(job(), ctx).response).toMatchObject({ job_status: 'queued', process_id: null });
  });

  it('once done, says where to download the first artifact; once failed, why', () => {
    const output = {
      artifacts: [
        { name: 'video.mp4', content_type: 'video/mp4', size: 1, url: '/v1/jobs/j1/artifacts/video.mp4' },
      ],
    };
    const done = statusEnvelope(
      job({ status: 'completed', output, started_at: at(1), finished_at: at(2) }),
      ctx,
    );
    expect(done.response).toEqual({
      job_status: 'done',
      job_id: 'j1',
      queue_id: queueId('simulate'),
      process_id: null,
      response: {
        download_url: 'http://127.0.0.1:8000/v1/storage/download/video_j1.mp4',
        filename: 'video_j1.mp4',
        message: 'Video conversion completed successfully',
      },
    });
    const failed = statusEnvelope(
      job({
        status: 'failed',
        error: { code: 'invalid_image', message: 'not an image' },
        finished_at: at(3),
      }),
      ctx,
    );
    expect(failed.response).toMatchObject({ job_status: 'error', response: null, error: 'not an image' });
    expect(statusEnvelope(job({ status: 'canceled', finished_at: at(3) }), ctx).response).toMatchObject({
      job_status: 'error',
      error: 'The job was canceled.',
    });
  });
});
