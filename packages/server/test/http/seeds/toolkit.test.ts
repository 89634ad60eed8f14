import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueId } from '../../../src/http/seeds/toolkit-envelope.js';
import { SERVER_VERSION } from '../../../src/internal/version.js';
import { call, eventually, startApp, tempDir } from '../../helpers/app.js';
import { useCleanup } from '../../helpers/cleanup.js';
import { ffmpeg } from '../../helpers/media.js';
import { describePostgres, dropSchema, PG_URL, uniqueSchema } from '../../helpers/postgres.js';
import { startReceiver, webhookHeaders } from '../../helpers/receiver.js';

useCleanup();

/** A JPEG served on 127.0.0.1, as image_url. */
let images: { server: Server; url: string };
beforeAll(async () => {
  const path = `${tempDir()}/image.jpg`;
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x180', '-frames:v', '1', path]);
  const jpeg = readFileSync(path);
  const server = createServer((req, res) => {
    if (req.url === '/image.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  images = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
});
afterAll(() => new Promise<void>((resolve) => images.server.close(() => resolve())));

/** A short, small conversion: a second at 5 frames per second. */
const small = () => ({
  image_url: `${images.url}/image.jpg`,
  length: 1,
  frame_rate: 5,
  width: 64,
  height: 64,
});

const status = (url: string, job_id: string, headers: Record<string, string> = {}) =>
  call(url, 'POST', '/v1/toolkit/job/status', { body: { job_id }, headers });

async function done(url: string, jobId: string, headers: Record<string, string> = {}): Promise<any> {
  return eventually(async () => {
    const { body } = await status(url, jobId, headers);
    return ['done', 'error'].includes(body.response?.job_status) ? body : null;
  }, 120_000);
}

const ENVELOPE_FIELDS = [
  'code',
  'id',
  'job_id',
  'response',
  'message',
  'run_time',
  'queue_time',
  'total_time',
  'pid',
  'queue_id',
  'queue_length',
  'build_number',
];

describe('the image-to-video (toolkit) API', () => {
  it('queues an image.to_video job and answers in the envelope, with real values', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    const res = await call(url, 'POST', '/v1/image/convert/video', {
      body: { ...small(), id: 'request-123' },
    });
    expect(res.status).toBe(202);
    expect(Object.keys(res.body)).toEqual(ENVELOPE_FIELDS);
    expect(res.body).toMatchObject({
      code: 202,
      id: 'request-123',
      response: null,
      message: 'Job queued successfully',
      run_time: 0,
      pid: process.pid,
      queue_id: queueId('media'),
      queue_length: 1,
      build_number: SERVER_VERSION,
    });
    expect(res.body.total_time).toBe(res.body.queue_time);
    const job = await call(url, 'GET', `/v1/jobs/${res.body.job_id}`);
    expect(job.body).toMatchObject({
      type: 'image.to_video',
      status: 'queued',
      metadata: { id: 'request-123' },
    });

    const queued = await status(url, res.body.job_id);
    expect(queued.status).toBe(200);
    expect(queued.body).toMatchObject({
      code: 200,
      id: 'request-123',
      job_id: res.body.job_id,
      message: 'success',
      run_time: 0,
      queue_length: 1,
      response: {
        job_status: 'queued',
        job_id: res.body.job_id,
        queue_id: res.body.queue_id,
        process_id: null,
        response: null,
      },
    });
    expect(queued.body.queue_time).toBeGreaterThanOrEqual(res.body.queue_time);
  });

  it('runs it to done, names the file, and serves it by that name', async () => {
    const { url } = await startApp({ argv: ['--allow-private-urls'] });
    const { body } = await call(url, 'POST', '/v1/image/convert/video', { body: small() });
    const env = await done(url, body.job_id);
    const filename = `video_${body.job_id}.mp4`;
    expect(env.response).toEqual({
      job_status: 'done',
      job_id: body.job_id,
      queue_id: queueId('media'),
      process_id: null,
      response: {
        download_url: `${url}/v1/storage/download/${filename}`,
        filename,
        message: 'Video conversion completed successfully',
      },
    });
    expect(env.run_time).toBeGreaterThan(0);
    expect(env.total_time).toBeCloseTo(env.queue_time + env.run_time, 2);

    const file = await fetch(env.response.response.download_url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${filename}"`);
    expect(Buffer.from(await file.arrayBuffer()).toString('latin1', 4, 8)).toBe('ftyp');
    const missing = await call(url, 'GET', '/v1/storage/download/video_nope.mp4');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'File not found', filename: 'video_nope.mp4' });
  }, 180_000);

  it('shows the process running a job while it runs, and a failed or canceled job as error', async () => {
    const { url } = await startApp({ argv: ['--allow-private-urls', '--simulate-error-rate', '0'] });
    const sim = await call(url, 'POST', '/v1/jobs', {
      body: { type: 'simulate', input: { duration_seconds: 30 } },
    });
    const running = await eventually(async () => {
      const { body } = await status(url, sim.body.id);
      return body.response.job_status === 'running' ? body : null;
    });
    expect(running.response.process_id).toBe(process.pid);
    await call(url, 'POST', `/v1/jobs/${sim.body.id}/cancel`);
    const canceled = await done(url, sim.body.id);
    expect(canceled.response).toMatchObject({
      job_status: 'error',
      process_id: null,
      error: expect.any(String),
    });

    const { body } = await call(url, 'POST', '/v1/image/convert/video', {
      body: { image_url: `${images.url}/missing.jpg` },
    });
    const failed = await done(url, body.job_id);
    expect(failed.response).toMatchObject({
      job_status: 'error',
      response: null,
      error: expect.stringMatching(/404/),
    });
  });

  it('answers an unknown job with the 404 of the API, and bad input with 400 {"error"}', async () => {
    const { url } = await startApp({ argv: ['--role', 'api'] });
    for (const job_id of ['invalid-job-id', 'not a job id!']) {
      const res = await status(url, job_id);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Job not found', job_id });
    }
    const cases: [unknown, RegExp][] = [
      [{}, /image_url is required/],
      [{ image_url: 'https://example.com/a.jpg', length: 9999 }, /^length must be <= 600$/],
      [{ image_url: 'https://example.com/a.jpg', speed: 2 }, /^speed is not a known field$/],
      [{ image_url: 'https://example.com/a.jpg', webhook_url: 'ftp://x' }, /^webhook_url must be an http/],
      [
        { image_url: 'https://example.com/a.jpg', webhook_url: 'http://127.0.0.1:9/hook' },
        /private, loopback/,
      ],
    ];
    for (const [body, error] of cases) {
      const res = await call(url, 'POST', '/v1/image/convert/video', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ error: expect.stringMatching(error) });
    }
    const noBody = await call(url, 'POST', '/v1/toolkit/job/status', { body: {} });
    expect(noBody.status).toBe(400);
    expect(noBody.body).toEqual({ error: expect.stringMatching(/job_id is required/) });
  });

  it('takes the API key as X-API-Key when keys are on, and shows each tenant only its jobs', async () => {
    const { url } = await startApp({
      argv: ['--allow-private-urls', '--api-keys', 'toolkit-key-1:one,toolkit-key-2:two'],
    });
    const one = { 'x-api-key': 'toolkit-key-1' };
    const refused = await call(url, 'POST', '/v1/image/convert/video', { body: small() });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: expect.stringMatching(/X-API-Key/) });
    const { body } = await call(url, 'POST', '/v1/image/convert/video', { body: small(), headers: one });
    const env = await done(url, body.job_id, one);
    expect((await status(url, body.job_id, { 'x-api-key': 'toolkit-key-2' })).status).toBe(404);
    const download = env.response.response.download_url;
    expect((await fetch(download)).status).toBe(401);
    expect((await fetch(download, { headers: { 'x-api-key': 'toolkit-key-2' } })).status).toBe(404);
    expect((await fetch(download, { headers: one })).status).toBe(200);
  }, 180_000);

  it('POSTs the status envelope to webhook_url when the job ends, unsigned without a secret', async () => {
    const receiver = await startReceiver();
    const { url } = await startApp({ argv: ['--allow-private-urls'] });
    const { body } = await call(url, 'POST', '/v1/image/convert/video', {
      body: { ...small(), webhook_url: receiver.url, id: 'hooked' },
    });
    const [got] = await eventually(
      async () => (receiver.received.length > 0 ? receiver.received : null),
      120_000,
    );
    expect(got!.headers['webhook-signature']).toBeUndefined();
    expect(got!.headers['content-type']).toBe('application/json');
    const envelope = JSON.parse(got!.body);
    expect(Object.keys(envelope)).toEqual(ENVELOPE_FIELDS);
    expect(envelope).toMatchObject({
      code: 200,
      id: 'hooked',
      job_id: body.job_id,
      message: 'success',
      response: {
        job_status: 'done',
        response: {
          download_url: `${url}/v1/storage/download/video_${body.job_id}.mp4`,
          filename: `video_${body.job_id}.mp4`,
        },
      },
    });
    expect((await fetch(envelope.response.response.download_url)).status).toBe(200);
    const deliveries = await call(url, 'GET', `/v1/jobs/${body.job_id}/webhook-deliveries`);
    expect(deliveries.body.data).toMatchObject([{ event: 'job.completed', url: receiver.url }]);
    expect(receiver.received).toHaveLength(1);
  }, 180_000);

  it('signs the webhook with the Standard Webhooks headers when a secret is set', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const receiver = await startReceiver();
    const { url } = await startApp({ argv: ['--allow-private-urls', '--webhook-secret', secret] });
    const { body } = await call(url, 'POST', '/v1/image/convert/video', {
      body: { image_url: `${images.url}/missing.jpg`, webhook_url: receiver.url },
    });
    const [got] = await eventually(
      async () => (receiver.received.length > 0 ? receiver.received : null),
      120_000,
    );
    const envelope = new Webhook(secret).verify(got!.body, webhookHeaders(got!.headers)) as any;
    expect(envelope).toMatchObject({
      job_id: body.job_id,
      response: { job_status: 'error', response: null },
    });
  });
});

describePostgres('the toolkit webhook on PostgreSQL', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it('carries the format through the outbox that PostgreSQL writes', async () => {
    const schema = uniqueSchema('toolkit');
    schemas.push(schema);
    const receiver = await startReceiver();
    const { url } = await startApp({
      argv: ['--allow-private-urls', '--database-url', PG_URL, '--database-schema', schema],
    });
    const { body } = await call(url, 'POST', '/v1/image/convert/video', {
      body: { ...small(), webhook_url: receiver.url },
    });
    const [got] = await eventually(
      async () => (receiver.received.length > 0 ? receiver.received : null),
      120_000,
    );
    expect(JSON.parse(got!.body)).toMatchObject({
      job_id: body.job_id,
      response: { job_status: 'done', response: { filename: `video_${body.job_id}.mp4` } },
    });
  }, 180_000);
});
