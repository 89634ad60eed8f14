import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '@longrun/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { vttTime } from '../../src/media/captions.js';
import { MediaTools } from '../../src/media/tools.js';
import { call, eventually, startApp, type TestApp, tempDir } from '../helpers/app.js';
import { useCleanup } from '../helpers/cleanup.js';
import {
  childProcesses,
  ffmpeg,
  isRunning,
  mp4Boxes,
  pngClaiming,
  probe,
  runJob,
  serveFiles,
} from '../helpers/media.js';

useCleanup();

/**
 * The media job types end to end, through a real server: real ffmpeg, real
 * speech, files checked with ffprobe. Inputs come from a file server on
 * 127.0.0.1, which the server may reach only with --allow-private-urls.
 */

const work = tempDir('longrun-media-jobs-');
let files: Awaited<ReturnType<typeof serveFiles>>;
let png: Buffer;

beforeAll(async () => {
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=640x480', '-frames:v', '1', join(work, 'img.png')]);
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=800x600', '-frames:v', '1', join(work, 'img.jpg')]);
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', join(work, 'img.gif')]);
  png = readFileSync(join(work, 'img.png'));
  const gif = readFileSync(join(work, 'img.gif'));
  files = await serveFiles({
    '/img.png': ['image/png', png],
    '/img.jpg': ['image/jpeg', readFileSync(join(work, 'img.jpg'))],
    '/truncated.png': ['image/png', png.subarray(0, Math.floor(png.length / 2))],
    '/truncated.jpg': ['image/jpeg', readFileSync(join(work, 'img.jpg')).subarray(0, 4000)],
    '/truncated.gif': ['image/gif', gif.subarray(0, Math.floor(gif.length / 2))],
    '/text.png': ['image/png', Buffer.from('this is not an image\n')],
    '/zero.png': ['image/png', pngClaiming(0, 0)],
    '/huge.png': ['image/png', pngClaiming(100_000, 100_000)],
    '/wide.png': ['image/png', pngClaiming(20_000, 20)],
    '/page': ['text/html', Buffer.from('<html><body>not found</body></html>')],
    '/playlist.png': ['image/png', Buffer.from('#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n')],
  });
}, 60_000);

afterAll(async () => {
  await files?.close();
});

const withPrivateUrls = () =>
  startApp({ argv: ['--allow-private-urls', '--concurrency', '2', '--wait-concurrency', '2'] });

async function download(app: TestApp, job: any, name: string): Promise<string> {
  const res = await fetch(`${app.url}/v1/jobs/${job.id}/artifacts/${name}`);
  expect(res.status).toBe(200);
  const path = join(work, `${job.id}-${name}`);
  writeFileSync(path, Buffer.from(await res.arrayBuffer()));
  return path;
}

describe('image.to_video', () => {
  it('renders 2 s at 30 fps: H.264, yuv420p, exactly 60 frames, faststart, listed as an artifact', async () => {
    const app = await withPrivateUrls();
    const job = await runJob(app.url, 'image.to_video', { image_url: `${files.url}/img.png`, length: 2 });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.input).toMatchObject({ length: 2, frame_rate: 30, zoom_speed: 3, width: 1280, height: 720 });
    const [artifact] = job.output.artifacts;
    expect(artifact).toEqual({
      name: 'video.mp4',
      content_type: 'video/mp4',
      size: expect.any(Number),
      url: `/v1/jobs/${job.id}/artifacts/video.mp4`,
    });
    expect(job.output).toMatchObject({ video_url: artifact.url, frames: 60, duration_seconds: 2 });
    expect(job.logs.join('\n')).toMatch(/fetching_input[\s\S]*checking_image[\s\S]*rendering/);

    const path = await download(app, job, 'video.mp4');
    expect(readFileSync(path).length).toBe(artifact.size);
    const info = await probe(path);
    expect(info.streams).toHaveLength(1);
    expect(info.streams[0]).toMatchObject({
      codec_type: 'video',
      codec_name: 'h264',
      pix_fmt: 'yuv420p',
      width: 1280,
      height: 720,
      avg_frame_rate: '30/1',
      nb_read_frames: '60',
    });
    expect(Number(info.format.duration)).toBeCloseTo(2, 2);
    const boxes = mp4Boxes(path);
    expect(boxes.indexOf('moov')).toBeGreaterThan(-1);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
  }, 120_000);

  it('makes exactly length x frame_rate frames at any size and rate, from a JPEG or a data: URL', async () => {
    const app = await withPrivateUrls();
    const [jpeg, data] = await Promise.all([
      runJob(app.url, 'image.to_video', {
        image_url: `${files.url}/img.jpg`,
        length: 3,
        frame_rate: 7,
        width: 322,
        height: 242,
        zoom_speed: 10,
      }),
      runJob(app.url, 'image.to_video', {
        image_url: `data:image/png;base64,${png.toString('base64')}`,
        length: 1,
        frame_rate: 25,
        width: 480,
        height: 270,
        zoom_speed: 0,
      }),
    ]);
    for (const [job, frames, w, h] of [
      [jpeg, 21, 322, 242],
      [data, 25, 480, 270],
    ] as const) {
      expect(job.status, JSON.stringify(job.error)).toBe('completed');
      const [stream] = (await probe(await download(app, job, 'video.mp4'))).streams;
      expect(stream).toMatchObject({
        codec_name: 'h264',
        width: w,
        height: h,
        nb_read_frames: String(frames),
      });
    }
  }, 120_000);

  it('fails a bad image cleanly with invalid_image, without a retry, and keeps working', async () => {
    const app = await withPrivateUrls();
    const bad = [
      'truncated.png',
      'truncated.jpg',
      'truncated.gif',
      'text.png',
      'zero.png',
      'huge.png',
      'wide.png',
      'playlist.png',
    ];
    const jobs = await Promise.all(
      bad.map((name) => runJob(app.url, 'image.to_video', { image_url: `${files.url}/${name}`, length: 1 })),
    );
    for (const [i, job] of jobs.entries()) {
      expect([bad[i], job.status, job.error?.code, job.attempt]).toEqual([
        bad[i],
        'failed',
        'invalid_image',
        1,
      ]);
      expect(job.error.message).toMatch(/^image_url is not a usable image: /);
    }
    const failed = Object.fromEntries(bad.map((name, i) => [name, jobs[i]]));
    expect(failed['huge.png'].error.message).toMatch(/100000x100000/);
    expect(failed['wide.png'].error.message).toMatch(/20000x20 is larger than 16384 px a side/);
    const page = await runJob(app.url, 'image.to_video', { image_url: `${files.url}/page`, length: 1 });
    expect([page.error?.code, page.error?.message]).toEqual([
      'input_fetch_failed',
      expect.stringMatching(/text\/html/),
    ]);
    const good = await runJob(app.url, 'image.to_video', {
      image_url: `${files.url}/img.png`,
      length: 1,
      frame_rate: 5,
    });
    expect(good.status).toBe('completed');
    expect(existsSync(join(app.dataDir, 'tmp')) ? tempFiles(app) : []).toEqual([]);
  }, 120_000);

  it('refuses a private URL without --allow-private-urls, before fetching it', async () => {
    const app = await startApp();
    const before = files.hits.length;
    const job = await runJob(app.url, 'image.to_video', { image_url: `${files.url}/img.png`, length: 1 });
    expect([job.status, job.error?.code, job.attempt]).toEqual(['failed', 'url_not_allowed', 1]);
    expect(job.error.message).toMatch(/127\.0\.0\.1 .*loopback.*--allow-private-urls/);
    expect(files.hits.length).toBe(before);
  });

  it('rejects out-of-range input at submit', async () => {
    const app = await startApp();
    for (const input of [
      { image_url: 'file:///etc/passwd' },
      { image_url: `${files.url}/img.png`, width: 1281 },
      { image_url: `${files.url}/img.png`, width: 3842 },
      { image_url: `${files.url}/img.png`, length: 601 },
      { image_url: `${files.url}/img.png`, frame_rate: 61 },
      { image_url: `${files.url}/img.png`, zoom_speed: 11 },
    ]) {
      const res = await call(app.url, 'POST', '/v1/jobs', { body: { type: 'image.to_video', input } });
      expect([JSON.stringify(input), res.status, res.body.error.code]).toEqual([
        JSON.stringify(input),
        422,
        'invalid_input',
      ]);
    }
  });

  it('on cancel kills ffmpeg at once and leaves no temporary file and no artifact', async () => {
    const app = await withPrivateUrls();
    const created = await call(app.url, 'POST', '/v1/jobs', {
      body: { type: 'image.to_video', input: { image_url: `${files.url}/img.png`, length: 600 } },
    });
    const id = created.body.id;
    // Rendering, and ffmpeg has reported progress: it is running.
    await eventually(async () => {
      const job = (await call(app.url, 'GET', `/v1/jobs/${id}`)).body;
      return job.stage === 'rendering' && job.progress > 10;
    }, 60_000);
    expect(childProcesses('ffmpeg').length).toBeGreaterThan(0);
    expect(tempFiles(app).length).toBeGreaterThan(0);

    const canceled = await call(app.url, 'POST', `/v1/jobs/${id}/cancel`);
    expect(canceled.body.status).toBe('canceled');
    await eventually(async () => childProcesses('ffmpeg').length === 0 && tempFiles(app).length === 0);
    expect((await call(app.url, 'GET', `/v1/jobs/${id}/artifacts/video.mp4`)).status).toBe(404);
    expect(existsSync(join(app.dataDir, 'artifacts', 'default', id, 'video.mp4'))).toBe(false);
  }, 120_000);
});

describe('a server that dies', () => {
  it('takes its ffmpeg with it, even killed with SIGKILL', async () => {
    const dataDir = tempDir('longrun-media-crash-');
    const server = await startServer(['--data-dir', dataDir, '--allow-private-urls'], { dataDir: false });
    try {
      const created = await call(server.url, 'POST', '/v1/jobs', {
        body: { type: 'image.to_video', input: { image_url: `${files.url}/img.png`, length: 600 } },
      });
      await eventually(async () => {
        const job = (await call(server.url, 'GET', `/v1/jobs/${created.body.id}`)).body;
        return job.stage === 'rendering' && job.progress > 10;
      }, 60_000);
      const renders = childProcesses('ffmpeg', server.proc.pid);
      expect(renders).toHaveLength(1);
      server.proc.kill('SIGKILL');
      await server.exited;
      await eventually(async () => !renders.some(isRunning));
    } finally {
      server.proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** Files left in the worker pools' scratch folders. */
function tempFiles(app: TestApp): string[] {
  const root = join(app.dataDir, 'tmp');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() || e.name.startsWith('job-'))
    .map((e) => join(e.parentPath, e.name));
}

describe('text.to_video', () => {
  const text =
    'Hello from longrun. This video was made from text: the words are spoken, and each caption appears ' +
    'exactly while it is said. That is all!';

  it('speaks the text, burns in captions timed to the speech, and writes them as WebVTT', async () => {
    const app = await withPrivateUrls();
    const job = await runJob(app.url, 'text.to_video', { text });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.input).toMatchObject({ voice: 'en-us', width: 1280, height: 720, background: '#000000' });
    const stages = [
      'audio_generation',
      'caption_generation',
      'scene_planning',
      'background_preparation',
      'rendering',
    ];
    const logged = job.logs.map((l: string) => l.split(':')[0]).filter((s: string) => stages.includes(s));
    expect(logged).toEqual(stages);

    const { duration_seconds: speech, frames, captions } = job.output;
    expect(job.output.artifacts.map((a: any) => [a.name, a.content_type])).toEqual([
      ['video.mp4', 'video/mp4'],
      ['captions.vtt', 'text/vtt'],
    ]);
    const info = await probe(await download(app, job, 'video.mp4'));
    const video = info.streams.find((s) => s.codec_type === 'video')!;
    const audio = info.streams.find((s) => s.codec_type === 'audio')!;
    expect(video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 1280, height: 720 });
    expect(Number(video.nb_read_frames)).toBe(frames);
    expect(frames).toBe(Math.ceil(speech * 30));
    expect(audio.codec_name).toBe('aac');
    expect(speech).toBeGreaterThan(3);
    // The audio lasts as long as the speech (AAC frames are 1024 samples: within a few ms).
    expect(Math.abs(Number(audio.duration) - speech)).toBeLessThan(0.05);

    const vttPath = await download(app, job, 'captions.vtt');
    const vtt = readFileSync(vttPath, 'utf8');
    const cues = [...vtt.matchAll(/^(\S+) --> (\S+)\n(.+)$/gm)];
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    expect(cues).toHaveLength(captions);
    expect(cues.map((c) => c[3])).toEqual([
      'Hello from longrun.',
      'This video was made from text: the words are spoken,',
      'and each caption appears exactly while it is said.',
      'That is all!',
    ]);
    expect(cues[0]![1]).toBe('00:00:00.000');
    for (let i = 1; i < cues.length; i++) expect(cues[i]![1]).toBe(cues[i - 1]![2]);
    expect(cues.at(-1)![2]).toBe(vttTime(speech));

    // The captions are burned in: light pixels at the bottom of a black frame while a cue is shown, none above.
    const frame = join(work, `${job.id}.gray`);
    const mp4 = join(work, `${job.id}-video.mp4`);
    await ffmpeg([
      '-ss',
      '0.5',
      '-i',
      mp4,
      '-frames:v',
      '1',
      '-vf',
      'scale=320:180',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      frame,
    ]);
    const pixels = readFileSync(frame);
    const bright = (fromRow: number, toRow: number) =>
      pixels.subarray(fromRow * 320, toRow * 320).filter((p) => p > 100).length;
    expect(bright(0, 120)).toBe(0);
    expect(bright(120, 180)).toBeGreaterThan(50);
  }, 120_000);

  it('renders over a background image, at another size and voice', async () => {
    const app = await withPrivateUrls();
    const job = await runJob(app.url, 'text.to_video', {
      text: 'A short one.',
      voice: 'en-gb',
      width: 640,
      height: 360,
      background: `${files.url}/img.jpg`,
    });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const info = await probe(await download(app, job, 'video.mp4'));
    expect(info.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([
      ['video', 'h264'],
      ['audio', 'aac'],
    ]);
    expect(info.streams[0]).toMatchObject({ width: 640, height: 360 });
  }, 120_000);

  it('fails an unknown voice with unknown_voice, and a bad background with invalid_image', async () => {
    const app = await withPrivateUrls();
    const [voice, background] = await Promise.all([
      runJob(app.url, 'text.to_video', { text: 'Hi.', voice: 'zz' }),
      runJob(app.url, 'text.to_video', { text: 'Hi.', background: `${files.url}/truncated.png` }),
    ]);
    expect([voice.error?.code, voice.attempt]).toEqual(['unknown_voice', 1]);
    expect([background.error?.code, background.attempt]).toEqual(['invalid_image', 1]);
    const bad = await call(app.url, 'POST', '/v1/jobs', {
      body: { type: 'text.to_video', input: { text: '   ', background: 'chartreuse-ish' } },
    });
    expect([bad.status, bad.body.error.code]).toEqual([422, 'invalid_input']);
  }, 120_000);
});

describe('the npm fallback binaries', () => {
  it('render both types with the ffmpeg and ffprobe that npm packages ship', async () => {
    const fallback = new MediaTools({ env: { PATH: '' } });
    const [ff, fp] = await Promise.all([fallback.ffmpeg(), fallback.ffprobe()]);
    expect([ff.from, fp.from]).toEqual(['npm', 'npm']);
    const app = await startApp({
      argv: ['--allow-private-urls', '--ffmpeg-path', ff.path, '--ffprobe-path', fp.path],
    });
    const [image, text] = await Promise.all([
      runJob(app.url, 'image.to_video', {
        image_url: `${files.url}/img.png`,
        length: 1,
        width: 320,
        height: 240,
      }),
      runJob(app.url, 'text.to_video', { text: 'Rendered by the bundled ffmpeg.', width: 320, height: 240 }),
    ]);
    expect([image.status, text.status]).toEqual(['completed', 'completed']);
    expect(image.logs.join('\n')).toContain(ff.path);
    const [stream] = (await probe(await download(app, image, 'video.mp4'))).streams;
    expect(stream).toMatchObject({ codec_name: 'h264', nb_read_frames: '30' });
    const streams = (await probe(await download(app, text, 'video.mp4'))).streams;
    expect(streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
  }, 120_000);
});

describe('a missing tool', () => {
  it('shows the types as unavailable, with how to install, and fails their jobs with tool_missing', async () => {
    const app = await startApp({
      argv: ['--ffmpeg-path', join(work, 'no-such-ffmpeg'), '--allow-private-urls'],
    });
    const types = (await call(app.url, 'GET', '/v1/types')).body.data;
    const image = types.find((t: any) => t.type === 'image.to_video');
    expect(image).toMatchObject({
      available: false,
      unavailable_reason: expect.stringMatching(/apt-get install ffmpeg/),
    });
    expect(types.find((t: any) => t.type === 'simulate').available).toBe(true);
    const ready = (await call(app.url, 'GET', '/readyz')).body;
    expect(ready.types['text.to_video'].available).toBe(false);
    const job = await runJob(app.url, 'image.to_video', { image_url: `${files.url}/img.png`, length: 1 });
    expect([job.error?.code, job.attempt]).toEqual(['tool_missing', 1]);
    expect(job.error.message).toMatch(/FFMPEG_PATH/);
  });
});

describe('artifact downloads', () => {
  const dataDir = tempDir('longrun-artifacts-');
  const keys = ['--api-keys', 'key-alice-1:alice,key-bob-22:bob'];
  let job: any;
  let whole: Buffer;

  beforeAll(async () => {
    const maker = await startApp({ argv: ['--allow-private-urls', ...keys], dataDir, keepData: true });
    job = await runJob(
      maker.url,
      'image.to_video',
      { image_url: `${files.url}/img.png`, length: 1, frame_rate: 10, width: 320, height: 240 },
      { headers: { authorization: 'Bearer key-alice-1' } },
    );
    expect(job.status).toBe('completed');
    await maker.close();
    whole = readFileSync(join(dataDir, 'artifacts', 'alice', job.id, 'video.mp4'));
  }, 120_000);

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Test apps close after each test: each test reads through its own API-only server on that data dir.
  let api: TestApp;
  beforeEach(async () => {
    api = await startApp({ argv: ['--role', 'api', ...keys], dataDir, keepData: true });
  });
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${api.url}${path}`, { method, headers: { authorization: 'Bearer key-alice-1', ...headers } });

  it('serves the whole file with its type, size, ETag and download name', async () => {
    const res = await get(job.output.video_url);
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'video/mp4',
      'content-length': String(job.output.artifacts[0].size),
      'accept-ranges': 'bytes',
      'content-disposition': `attachment; filename="generated_video_${job.id}.mp4"`,
      etag: expect.stringMatching(/^"[0-9a-f]+-[0-9a-f]+"$/),
    });
    expect(Buffer.from(await res.arrayBuffer())).toEqual(whole);
  });

  it('answers a Range with exactly those bytes, and 416 past the end', async () => {
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      ['bytes=1000-1999', 1000, 1999],
      [`bytes=${whole.length - 10}-`, whole.length - 10, whole.length - 1],
      ['bytes=-25', whole.length - 25, whole.length - 1],
    ] as const) {
      const res = await get(job.output.video_url, { range });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${whole.length}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer())).toEqual(whole.subarray(start, end + 1));
    }
    const past = await get(job.output.video_url, { range: `bytes=${whole.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    expect((await past.json()).error.code).toBe('range_not_satisfiable');
  });

  it('answers HEAD without a body, and 304 to a matching If-None-Match', async () => {
    const head = await get(job.output.video_url, {}, 'HEAD');
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(whole.length)]);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const etag = head.headers.get('etag')!;
    const cached = await get(job.output.video_url, { 'if-none-match': etag });
    expect([cached.status, cached.headers.get('etag')]).toEqual([304, etag]);
    // If-Range with another tag: the whole file, not the range.
    const stale = await get(job.output.video_url, { range: 'bytes=0-9', 'if-range': '"other"' });
    expect([stale.status, (await stale.arrayBuffer()).byteLength]).toEqual([200, whole.length]);
  });

  it('never serves a name outside the job folder, and hides the job from another tenant', async () => {
    for (const name of [
      '..%2F..%2Fjobs.db',
      '%2E%2E',
      '..',
      '.partial-1',
      '%2Fetc%2Fpasswd',
      'nope.mp4',
      'video.mp4%00',
    ]) {
      const res = await get(`/v1/jobs/${job.id}/artifacts/${name}`);
      expect([name, res.status]).toEqual([name, 404]);
      expect((await res.json()).error.code).toMatch(/^(artifact_not_found|route_not_found)$/);
    }
    const bob = await get(job.output.video_url, { authorization: 'Bearer key-bob-22' });
    expect([bob.status, (await bob.json()).error.code]).toEqual([404, 'job_not_found']);
  });

  it('stops reading when the client goes away mid-download', async () => {
    const res = await get(job.output.video_url);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    // The server is still healthy and serves the next request in full.
    const again = await get(job.output.video_url);
    expect(Buffer.from(await again.arrayBuffer())).toEqual(whole);
  });
});
