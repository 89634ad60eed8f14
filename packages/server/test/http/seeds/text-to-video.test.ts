import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_LIST_LIMITS, jobListJson } from '../../../src/http/seeds/text-to-video.js';
import { ProcessorRegistry } from '../../../src/processors/registry.js';
import { call, eventually, startApp } from '../../helpers/app.js';
import { useCleanup } from '../../helpers/cleanup.js';
import { storedJob } from '../../helpers/jobs.js';

useCleanup();

const TEXT = 'Once upon a time, in a faraway land...';

async function finished(url: string, id: string): Promise<any> {
  return eventually(async () => {
    const { body } = await call(url, 'GET', `/api/v1/status/${id}`);
    return body.status === 'completed' || body.status === 'failed' ? body : null;
  }, 120_000);
}

describe('the text-to-video API under /api/v1', () => {
  it('makes a text.to_video job that is queued, then shows it in its own shape and in /v1/jobs', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const res = await call(url, 'POST', '/api/v1/generate', { body: { text: TEXT } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      job_id: expect.any(String),
      status: 'queued',
      message: 'Video generation started',
    });
    expect(res.headers.get('location')).toBe(`/api/v1/status/${res.body.job_id}`);

    const status = await call(url, 'GET', `/api/v1/status/${res.body.job_id}`);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      status: 'queued',
      progress: 0,
      message: 'Job queued',
      created_at: expect.any(Number),
      logs: [],
    });
    expect(Math.abs(status.body.created_at - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(status.headers.get('poll-after-ms'))).toBeGreaterThan(0);

    const job = await call(url, 'GET', `/v1/jobs/${res.body.job_id}`);
    expect(job.body).toMatchObject({ type: 'text.to_video', status: 'queued', input: { text: TEXT } });
    const listed = await call(url, 'GET', '/v1/jobs?type=text.to_video');
    expect(listed.body.data.map((j: any) => j.id)).toEqual([res.body.job_id]);

    const early = await call(url, 'GET', `/api/v1/download/${res.body.job_id}`);
    expect(early.status).toBe(400);
    expect(early.body).toEqual({ error: 'Video not ready for download' });
  });

  it('renders the video, then serves it as generated_video_<job_id>.mp4', async () => {
    const { url } = await startApp();
    const { body } = await call(url, 'POST', '/api/v1/generate', { body: { text: TEXT } });
    const status = await finished(url, body.job_id);
    expect(status).toMatchObject({
      status: 'completed',
      progress: 100,
      message: 'Video generation completed',
      output_file: `/api/v1/download/${body.job_id}`,
    });
    const stages = [
      'audio_generation',
      'caption_generation',
      'scene_planning',
      'background_preparation',
      'rendering',
    ];
    expect(stages.every((s) => status.logs.some((l: string) => l.startsWith(`${s}:`)))).toBe(true);

    const res = await fetch(`${url}/api/v1/download/${body.job_id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="generated_video_${body.job_id}.mp4"`,
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
    const ranged = await fetch(`${url}/api/v1/download/${body.job_id}`, { headers: { range: 'bytes=0-7' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(0, 8))).toBe(true);
  }, 180_000);

  it('answers a missing video file with 500 Video file not found', async () => {
    const app = await startApp();
    const { body } = await call(app.url, 'POST', '/api/v1/generate', { body: { text: 'Short.' } });
    await finished(app.url, body.job_id);
    rmSync(join(app.config.artifactsDir, 'default', body.job_id, 'video.mp4'));
    const res = await call(app.url, 'GET', `/api/v1/download/${body.job_id}`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'Video file not found' });
  }, 180_000);

  it('answers a completed job that lists no video with 500 Output file not found', async () => {
    const registry = new ProcessorRegistry().register({
      type: 'text.to_video',
      description: 'Completes at once with no file.',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
      run: async () => ({ artifacts: [] }),
    });
    const { url } = await startApp({ parts: { registry } });
    const { body } = await call(url, 'POST', '/api/v1/generate', { body: { text: TEXT } });
    await finished(url, body.job_id);
    const res = await call(url, 'GET', `/api/v1/download/${body.job_id}`);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'Output file not found' });
  });

  it('answers every error as {"error"}, and an unknown job in a 404 both APIs under /api/v1 read', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    for (const body of [undefined, {}, { text: '' }, { text: '   ' }, [TEXT]]) {
      const res = await call(url, 'POST', '/api/v1/generate', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ error: 'No text provided in request body' });
    }
    // A NUL once made a completed job whose speech and captions stopped at it.
    const nul = await call(url, 'POST', '/api/v1/generate', { body: { text: 'Hello\u0000 world' } });
    expect(nul.status).toBe(400);
    expect(nul.body).toEqual({ error: expect.stringMatching(/^text must not contain NUL/) });
    const bad = await call(url, 'POST', '/api/v1/generate', { body: { text: TEXT, colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'colour is not a known field' });
    const notJson = await call(url, 'POST', '/api/v1/generate', {
      body: '{"text": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toEqual({ error: expect.stringMatching(/not valid JSON/) });

    const simulated = await call(url, 'POST', '/v1/jobs', { body: { type: 'simulate' } });
    for (const id of ['no-such-job', simulated.body.id, encodeURIComponent('not a job id!')]) {
      for (const route of ['status', 'download']) {
        const res = await call(url, 'GET', `/api/v1/${route}/${id}`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'Job not found', detail: 'Job not found' });
      }
    }
    const route = await call(url, 'GET', '/api/v1/nothing');
    expect(route.status).toBe(404);
    expect(route.body).toEqual({ error: 'No route GET /api/v1/nothing' });
  });

  it('lists only the caller’s text-to-video jobs, newest first, ids that look like numbers too', async () => {
    const { url } = await startApp({
      argv: ['--role', 'api', '--api-keys', 'key-one-1234:one,key-two-1234:two'],
    });
    const one = { authorization: 'Bearer key-one-1234' };
    for (const id of ['10', 'b', '2']) {
      const res = await call(url, 'POST', '/v1/jobs', {
        body: { type: 'text.to_video', id, input: { text: TEXT } },
        headers: one,
      });
      expect(res.status).toBe(202);
    }
    await call(url, 'POST', '/v1/jobs', { body: { type: 'simulate' }, headers: one });
    await call(url, 'POST', '/api/v1/generate', {
      body: { text: TEXT },
      headers: { 'x-api-key': 'key-two-1234' },
    });
    const res = await fetch(`${url}/api/v1/jobs`, { headers: one });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"jobs":{"2":')).toBe(true);
    const { jobs } = JSON.parse(text);
    expect(Object.keys(jobs).sort()).toEqual(['10', '2', 'b']);
    expect(jobs['10']).toEqual({
      status: 'queued',
      progress: 0,
      message: 'Job queued',
      created_at: expect.any(Number),
      logs: [],
    });

    const anonymous = await call(url, 'GET', '/api/v1/jobs');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: expect.stringMatching(/API key/) });
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const other = await call(url, 'GET', '/api/v1/status/10', { headers: { 'x-api-key': 'key-two-1234' } });
    expect(other.status).toBe(404);
  });
});

describe('the job list of the text-to-video API', () => {
  const job = (id: string, line: string) => storedJob({ id, type: 'text.to_video', logs: [line] });

  it('stops before the body would pass its byte cap, leaving out the older jobs', () => {
    const line = 'x'.repeat(300);
    const jobs = Array.from({ length: 10 }, (_, i) => job(`j${i}`, line));
    const json = jobListJson(jobs, { ...JOB_LIST_LIMITS, bytes: 1000 });
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1000);
    expect(Object.keys(JSON.parse(json).jobs)).toEqual(['j0', 'j1']);
    expect(JSON.parse(jobListJson([]))).toEqual({ jobs: {} });
  });

  it('is capped at 100 jobs and 1 MiB by default', () => {
    expect(JOB_LIST_LIMITS).toEqual({ count: 100, bytes: 1024 * 1024 });
    const jobs = Array.from({ length: 40 }, (_, i) => job(`j${i}`, 'y'.repeat(30_000)));
    const json = jobListJson(jobs);
    const kept = Object.keys(JSON.parse(json).jobs).length;
    expect(kept).toBeLessThan(40);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1024 * 1024);
    // One more would not have fitted.
    expect(
      Buffer.byteLength(jobListJson(jobs.slice(0, kept + 1), { count: 100, bytes: 2 ** 30 })),
    ).toBeGreaterThan(1024 * 1024);
  });
});
