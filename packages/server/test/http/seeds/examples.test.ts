import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LongrunServer, startServer } from '@longrun/testkit';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, tempDir } from '../../helpers/app.js';
import { useCleanup } from '../../helpers/cleanup.js';
import { ffmpeg } from '../../helpers/media.js';
import { startReceiver, webhookHeaders } from '../../helpers/receiver.js';
import { runProgram } from '../../helpers/run.js';
import { DOCUMENT_TRANSLATION, IMAGE_TO_VIDEO, SIMULATOR, TEXT_TO_VIDEO } from './documented-examples.js';

/**
 * The documents' example requests, run as written against longrun server
 * processes: only their hosts, port and API key are replaced, and the jobs
 * their ids name are made first. curl's status code is read through a
 * .curlrc (`write-out`), so the command lines stay as written.
 */

const SEEDS_DIR =
  process.env.LONGRUN_SEEDS_DIR ?? fileURLToPath(new URL('../../../../../../shared/seeds/', import.meta.url));
const KEY = `toolkit-${randomBytes(8).toString('hex')}`;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

useCleanup();

let open: LongrunServer;
let keyed: LongrunServer;
let images: Server;
let imageUrl: string;
const curlHome = tempDir('longrun-curl-');

beforeAll(async () => {
  writeFileSync(join(curlHome, '.curlrc'), 'write-out = "\\n%{http_code}"\nsilent\n');
  const jpeg = join(tempDir(), 'image.jpg');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x180', '-frames:v', '1', jpeg]);
  const bytes = readFileSync(jpeg);
  images = createServer((req, res) => {
    if (req.url === '/image.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/image.jpg`;
  [open, keyed] = await Promise.all([
    startServer(['--allow-private-urls']),
    startServer(['--allow-private-urls', '--api-keys', `${KEY}:toolkit`], {
      env: { LONGRUN_WEBHOOK_SECRET: SECRET },
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([open?.close(), keyed?.close()]);
  await new Promise<void>((resolve) => (images ? images.close(() => resolve()) : resolve()));
});

/** Run a command line in a fresh folder with the curlrc; the body and status curl printed, and the folder. */
async function shell(command: string): Promise<{ body: string; status: number; dir: string }> {
  const dir = tempDir('longrun-example-');
  const { code, stdout, stderr } = await runProgram('bash', ['-c', command], {
    cwd: dir,
    env: { CURL_HOME: curlHome },
  });
  expect(code, `${command}\n${stderr}`).toBe(0);
  const cut = stdout.lastIndexOf('\n');
  return { body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)), dir };
}

const isMp4 = (path: string) => readFileSync(path).toString('latin1', 4, 8) === 'ftyp';

/** Wait on /v1/jobs/{id} until the job ends. */
async function ended(server: LongrunServer, id: string, headers: Record<string, string> = {}): Promise<any> {
  return eventually(async () => {
    const { body } = await call(server.url, 'GET', `/v1/jobs/${id}?wait=10&until=terminal`, { headers });
    return ['completed', 'failed', 'canceled'].includes(body.status) ? body : null;
  }, 180_000);
}

/** The seed documents live beside the repository, not in it: a clone on its own has none to compare with. */
const SEEDS_FOUND = existsSync(SEEDS_DIR);
const NO_SEEDS = `skipped: no seed documents at ${SEEDS_DIR} (set LONGRUN_SEEDS_DIR)`;
if (!SEEDS_FOUND)
  process.stderr.write(`the documents' examples are not compared word for word: ${NO_SEEDS}\n`);

describe('the documents’ examples, as written', () => {
  it.runIf(SEEDS_FOUND)(
    `are copied from the documents word for word${SEEDS_FOUND ? '' : ` (${NO_SEEDS})`}`,
    () => {
      for (const { document, ...examples } of [
        SIMULATOR,
        DOCUMENT_TRANSLATION,
        TEXT_TO_VIDEO,
        IMAGE_TO_VIDEO,
      ]) {
        const text = readFileSync(join(SEEDS_DIR, document), 'utf8');
        for (const example of Object.values(examples).flat()) expect(text, document).toContain(example);
      }
    },
  );

  it('the video-translation simulator: submit and status, with curl', async () => {
    const [submit, status] = SIMULATOR.curl.map((line) =>
      line.replace(/^cURL /, 'curl ').replace('http://127.0.0.1:8000', open.url),
    );
    expect(await shell(submit!)).toMatchObject({
      status: 201,
      body: 'Successfully submitted the job: job_000',
    });
    const res = await shell(status!);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ result: 'pending' });
  });

  it('document translation: the status of a job, with curl, in the shape of the documented answer', async () => {
    const text = 'Hello world.\n\nThis is a test.\n';
    const made = await call(open.url, 'POST', '/v1/jobs', {
      body: {
        type: 'document.translate',
        id: DOCUMENT_TRANSLATION.jobId,
        input: {
          document_url: `data:text/plain;base64,${Buffer.from(text).toString('base64')}`,
          filename: 'document.txt',
          source_language: 'en',
          target_language: 'de',
        },
      },
    });
    expect(made.status).toBe(202);
    const job = await ended(open, DOCUMENT_TRANSLATION.jobId);
    expect(job.status).toBe('completed');

    const res = await shell(DOCUMENT_TRANSLATION.status.replace('http://localhost:8000', open.url));
    expect(res.status).toBe(200);
    const status = JSON.parse(res.body);
    const documented = JSON.parse(DOCUMENT_TRANSLATION.activeJob);
    expect(Object.keys(status)).toEqual(Object.keys(documented));
    expect(status).toEqual({
      status: 'completed',
      progress: 100,
      file_path: 'document.txt',
      source_language: 'en',
      target_language: 'de',
      created_at: job.created_at,
      output_file: `/api/v1/download/${DOCUMENT_TRANSLATION.jobId}`,
      error: null,
      processing_type: 'advanced',
      format_preservation: true,
    });
    expect(new Date(status.created_at).toISOString()).toBe(status.created_at);

    const file = await fetch(`${open.url}${status.output_file}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="document.de.txt"');
    expect(await file.text()).toMatch(/^\[Ĥéļļö ŵöŕļð\. ~+\]\n\n\[Ţĥîš îš á ţéšţ\. ~+\]\n$/);

    const missing = await shell(
      DOCUMENT_TRANSLATION.status
        .replace('http://localhost:8000', open.url)
        .replace(DOCUMENT_TRANSLATION.jobId, 'no-such-job'),
    );
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'Job not found', detail: 'Job not found' });
  });

  it('text-to-video: generate, status, download and jobs, with curl', async () => {
    const local = (line: string) => line.replaceAll('http://localhost:5000', open.url);
    const made = await call(open.url, 'POST', '/v1/jobs', {
      body: { type: 'text.to_video', id: TEXT_TO_VIDEO.jobId, input: { text: 'Once upon a time.' } },
    });
    expect(made.status).toBe(202);

    const generate = await shell(local(TEXT_TO_VIDEO.generate));
    expect(generate.status).toBe(202);
    const started = JSON.parse(generate.body);
    expect(started).toEqual({
      job_id: expect.any(String),
      status: 'queued',
      message: 'Video generation started',
    });

    expect((await ended(open, TEXT_TO_VIDEO.jobId)).status).toBe('completed');
    const status = await shell(local(TEXT_TO_VIDEO.status));
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toEqual({
      status: 'completed',
      progress: 100,
      message: 'Video generation completed',
      created_at: expect.any(Number),
      logs: expect.arrayContaining([expect.stringMatching(/^rendering: /)]),
      output_file: `/api/v1/download/${TEXT_TO_VIDEO.jobId}`,
    });

    const download = await shell(local(TEXT_TO_VIDEO.download));
    expect(download.status).toBe(200);
    expect(isMp4(join(download.dir, 'video.mp4'))).toBe(true);

    const jobs = await shell(local(TEXT_TO_VIDEO.jobs));
    expect(jobs.status).toBe(200);
    const listed = JSON.parse(jobs.body).jobs;
    expect(Object.keys(listed)).toEqual(expect.arrayContaining([started.job_id, TEXT_TO_VIDEO.jobId]));
    expect(listed[TEXT_TO_VIDEO.jobId]).toMatchObject({ status: 'completed', progress: 100 });

    const noText = await shell(
      `curl -X POST ${open.url}/api/v1/generate -H "Content-Type: application/json" -d '{}'`,
    );
    expect(noText).toMatchObject({ status: 400, body: '{"error":"No text provided in request body"}' });
    expect(JSON.parse((await shell(`curl ${open.url}/api/v1/status/nope`)).body)).toMatchObject({
      error: 'Job not found',
    });
    await ended(open, started.job_id);
  }, 240_000);

  it('text-to-video: the Python example polls, then saves the video', async () => {
    const dir = tempDir('longrun-python-');
    writeFileSync(
      join(dir, 'example.py'),
      TEXT_TO_VIDEO.python.replaceAll('http://localhost:5000', open.url),
    );
    // The example imports requests; where it is not installed, the same calls go through the standard library.
    const env: Record<string, string> = {};
    if (spawnSync('python3', ['-c', 'import requests']).status !== 0) {
      const shim = join(dir, 'shim');
      mkdirSync(shim);
      writeFileSync(join(shim, 'requests.py'), REQUESTS_ON_URLLIB);
      env.PYTHONPATH = shim;
    }
    const { code, stdout: out, stderr } = await runProgram('python3', ['example.py'], { cwd: dir, env });
    expect(code, stderr).toBe(0);
    for (const line of out.trim().split('\n').filter(Boolean)) {
      expect(line).toMatch(/^Progress: \d{1,3}% - \S.*$/);
    }
    expect(isMp4(join(dir, 'output_video.mp4'))).toBe(true);
  }, 240_000);

  it('image-to-video: submit, status and download with X-API-Key, and the 404', async () => {
    const local = (line: string) =>
      line
        .replaceAll('https://toolkit.giganalyzer.com', keyed.url)
        .replaceAll('YOUR_API_KEY', KEY)
        .replaceAll('https://example.com/image.jpg', imageUrl);
    const auth = { 'x-api-key': KEY };
    for (const id of [IMAGE_TO_VIDEO.jobId, IMAGE_TO_VIDEO.fileJobId]) {
      const made = await call(keyed.url, 'POST', '/v1/jobs', {
        body: {
          type: 'image.to_video',
          id,
          input: { image_url: imageUrl, length: 1, frame_rate: 5, width: 64, height: 64 },
        },
        headers: auth,
      });
      expect(made.status).toBe(202);
      expect((await ended(keyed, id, auth)).status).toBe('completed');
    }

    const submit = await shell(local(IMAGE_TO_VIDEO.submit));
    expect(submit.status).toBe(202);
    const queued = JSON.parse(submit.body);
    expect(queued).toMatchObject({
      code: 202,
      id: null,
      job_id: expect.any(String),
      response: null,
      message: 'Job queued successfully',
      run_time: expect.any(Number),
      queue_time: expect.any(Number),
      total_time: expect.any(Number),
      pid: keyed.proc.pid,
      queue_id: expect.any(Number),
      queue_length: expect.any(Number),
      build_number: expect.any(String),
    });
    // 60 s of 720p video at 30 fps is minutes of work for a test machine: the answer is what is checked here.
    await call(keyed.url, 'POST', `/v1/jobs/${queued.job_id}/cancel`, { headers: auth });

    const status = await shell(local(IMAGE_TO_VIDEO.status));
    expect(status.status).toBe(200);
    const filename = `video_${IMAGE_TO_VIDEO.jobId}.mp4`;
    expect(JSON.parse(status.body)).toMatchObject({
      code: 200,
      job_id: IMAGE_TO_VIDEO.jobId,
      message: 'success',
      pid: keyed.proc.pid,
      response: {
        job_status: 'done',
        job_id: IMAGE_TO_VIDEO.jobId,
        response: {
          download_url: `${keyed.url}/v1/storage/download/${filename}`,
          filename,
          message: 'Video conversion completed successfully',
        },
      },
    });

    const download = await shell(local(IMAGE_TO_VIDEO.download));
    expect(download.status).toBe(200);
    expect(isMp4(join(download.dir, 'video.mp4'))).toBe(true);

    const missing = await shell(
      local(IMAGE_TO_VIDEO.status).replace(IMAGE_TO_VIDEO.jobId, JSON.parse(IMAGE_TO_VIDEO.notFound).job_id),
    );
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual(JSON.parse(IMAGE_TO_VIDEO.notFound));
    const anonymous = await shell(local(IMAGE_TO_VIDEO.status).replace(`-H "X-API-Key: ${KEY}" `, ''));
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toEqual({ error: expect.any(String) });
  }, 240_000);

  it('image-to-video: webhook_url gets the status envelope, signed, when the job ends', async () => {
    const receiver = await startReceiver();
    const body = IMAGE_TO_VIDEO.webhookBody
      .replace('https://example.com/image.jpg', imageUrl)
      .replace('https://your-server.com/webhook', receiver.url);
    const res = await call(keyed.url, 'POST', '/v1/image/convert/video', {
      body,
      headers: { 'x-api-key': KEY },
    });
    expect(res.status).toBe(202);
    // Ended early, as above; the webhook comes when the job ends, however it ends.
    await call(keyed.url, 'POST', `/v1/jobs/${res.body.job_id}/cancel`, { headers: { 'x-api-key': KEY } });
    const [got] = await eventually(
      async () => (receiver.received.length > 0 ? receiver.received : null),
      60_000,
    );
    const envelope = new Webhook(SECRET).verify(got!.body, webhookHeaders(got!.headers));
    expect(envelope).toEqual({
      code: 200,
      id: null,
      job_id: res.body.job_id,
      response: {
        job_status: 'error',
        job_id: res.body.job_id,
        queue_id: res.body.queue_id,
        process_id: null,
        response: null,
        error: expect.any(String),
      },
      message: 'success',
      run_time: expect.any(Number),
      queue_time: expect.any(Number),
      total_time: expect.any(Number),
      pid: keyed.proc.pid,
      queue_id: res.body.queue_id,
      queue_length: expect.any(Number),
      build_number: res.body.build_number,
    });
  }, 120_000);
});

/** The part of the requests API the Python example calls, on the standard library. */
const REQUESTS_ON_URLLIB = `import json as _json
import urllib.error
import urllib.request


class Response:
    def __init__(self, status_code, content):
        self.status_code = status_code
        self.content = content

    def json(self):
        return _json.loads(self.content)


def _send(request):
    try:
        with urllib.request.urlopen(request) as r:
            return Response(r.status, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read())


def get(url):
    return _send(urllib.request.Request(url))


def post(url, json=None):
    data = None if json is None else _json.dumps(json).encode()
    return _send(urllib.request.Request(url, data=data, method='POST', headers={'Content-Type': 'application/json'}))
`;
