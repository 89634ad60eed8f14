import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { downloadName, parseRange } from '../../src/http/artifacts.js';
import { splitIntoChunks, toAss, toWebVtt, vttTime } from '../../src/media/captions.js';
import { toFfmpegColor } from '../../src/media/color.js';
import { runTool } from '../../src/media/process.js';
import { Speech } from '../../src/media/speech.js';
import { MediaTools, ToolMissingError } from '../../src/media/tools.js';
import { concatWav, parseWav } from '../../src/media/wav.js';
import { MAX_ZOOM, zoomFilter } from '../../src/media/zoom.js';

const dir = mkdtempSync(join(tmpdir(), 'longrun-media-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A mono 16-bit PCM WAV of `samples` samples. */
function wav(samples: number, rate = 22050): Buffer {
  const data = Buffer.alloc(samples * 2, 1);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

describe('splitIntoChunks', () => {
  it('makes one chunk per sentence and collapses white space', () => {
    expect(splitIntoChunks('  Hello   there.\n\nHow are you?  Fine! ')).toEqual([
      'Hello there.',
      'How are you?',
      'Fine!',
    ]);
  });

  it('splits a long sentence at a clause mark near the middle, every piece within the limit', () => {
    const sentence =
      'The quick brown fox jumps over the lazy dog near the river bank, and then it runs far away into the dark green forest to find its friends.';
    const chunks = splitIntoChunks(sentence, { maxChars: 84 });
    expect(chunks).toEqual([
      'The quick brown fox jumps over the lazy dog near the river bank,',
      'and then it runs far away into the dark green forest to find its friends.',
    ]);
    const long = `${'word '.repeat(200)}end.`;
    const pieces = splitIntoChunks(long, { maxChars: 84 });
    expect(pieces.every((p) => p.length <= 84 && p.length > 0)).toBe(true);
    expect(pieces.join(' ')).toBe(long.trim());
  });

  it('splits text written without spaces, and never loses a character', () => {
    const text = '這是一個很長的句子'.repeat(20);
    const pieces = splitIntoChunks(text, { maxChars: 50, locale: 'zh' });
    expect(pieces.every((p) => Array.from(p).length <= 50)).toBe(true);
    expect(pieces.join('')).toBe(text);
  });
});

describe('captions', () => {
  const cues = [
    { start: 0, end: 1.2345, text: 'A <b> & c' },
    { start: 1.2345, end: 3723.5, text: 'Second {\\i1} C:\\New' },
  ];

  it('writes WebVTT with escaped text and millisecond times', () => {
    expect(vttTime(3723.5)).toBe('01:02:03.500');
    expect(toWebVtt(cues)).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.235\nA &lt;b&gt; &amp; c\n\n2\n00:00:01.235 --> 01:02:03.500\nSecond {\\i1} C:\\New\n',
    );
  });

  it('writes ASS whose text libass shows literally', () => {
    const ass = toAss(cues, { width: 1280, height: 720 });
    expect(ass).toContain('PlayResX: 1280');
    expect(ass).toContain('Dialogue: 0,0:00:00.00,0:00:01.23,Default,,0,0,0,,A <b> & c');
    expect(ass).toContain(
      'Dialogue: 0,0:00:01.23,1:02:03.50,Default,,0,0,0,,Second \\{\\\u2060i1\\} C:\\\u2060New',
    );
  });
});

describe('WAV', () => {
  it('joins parts and returns exact spans', async () => {
    const a = join(dir, 'a.wav');
    const b = join(dir, 'b.wav');
    writeFileSync(a, wav(22050));
    writeFileSync(b, wav(11025));
    const out = join(dir, 'ab.wav');
    expect(await concatWav([a, b], out)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 1.5 },
    ]);
    const joined = parseWav(readFileSync(out));
    expect([joined.duration, joined.sampleRate, joined.dataBytes]).toEqual([1.5, 22050, 33075 * 2]);
  });

  it('takes a missing data size as "to the end" and refuses what is not WAV', () => {
    const streamed = wav(100);
    streamed.writeUInt32LE(0xffffffff, 40);
    expect(parseWav(streamed).duration).toBeCloseTo(100 / 22050, 9);
    expect(() => parseWav(Buffer.from('not a wav file at all'))).toThrow(/RIFF/);
  });
});

describe('zoomFilter', () => {
  it('asks zoompan for exactly the frames, centred, ending at the zoom the speed gives', () => {
    const { filter, finalZoom } = zoomFilter({
      width: 1280,
      height: 720,
      frames: 300,
      frameRate: 30,
      zoomSpeed: 3,
    });
    expect(filter).toContain('d=300:s=1280x720:fps=30');
    expect(filter).toContain('scale=5120:2880');
    expect(finalZoom).toBeCloseTo(Math.exp(0.3), 9);
  });

  it('caps the zoom, supersamples less at large sizes, and stays still at speed 0', () => {
    expect(
      zoomFilter({ width: 1280, height: 720, frames: 18000, frameRate: 30, zoomSpeed: 10 }).finalZoom,
    ).toBe(MAX_ZOOM);
    expect(
      zoomFilter({ width: 3840, height: 2160, frames: 30, frameRate: 30, zoomSpeed: 3 }).filter,
    ).toContain('scale=7680:4320');
    const still = zoomFilter({ width: 640, height: 360, frames: 10, frameRate: 10, zoomSpeed: 0 });
    expect(still.finalZoom).toBe(1);
    expect(still.filter).toContain("z='exp(0.000000000000*on)'");
  });
});

describe('artifact helpers', () => {
  it('parses single byte ranges and ignores what it may ignore', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=9-1', 100)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
  });

  it('names downloads generated_<name>_<job id>', () => {
    expect(downloadName('abc', 'video.mp4')).toBe('generated_video_abc.mp4');
    expect(downloadName('a:b', 'captions.vtt')).toBe('generated_captions_a_b.vtt');
  });

  it('reads colours as ffmpeg writes them', () => {
    expect(toFfmpegColor('#fa0')).toBe('0xffaa00');
    expect(toFfmpegColor('#102030')).toBe('0x102030');
    expect(toFfmpegColor('navy')).toBe('0x000080');
    expect(toFfmpegColor('https://example.com/a.png')).toBeNull();
  });
});

describe('tools', () => {
  it('reports a wrong explicit path as missing, with how to install', async () => {
    const tools = new MediaTools({ ffmpegPath: join(dir, 'no-ffmpeg') });
    const err = await tools.ffmpeg().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toMatch(/FFMPEG_PATH .* does not run as ffmpeg\. Install ffmpeg/);
  });

  it('falls back to the binaries the npm packages ship when PATH has none', async () => {
    const tools = new MediaTools({ env: { PATH: '' } });
    const [ffmpeg, ffprobe] = await Promise.all([tools.ffmpeg(), tools.ffprobe()]);
    expect([ffmpeg.from, ffprobe.from]).toEqual(['npm', 'npm']);
    expect(ffmpeg.filters.has('zoompan')).toBe(true);
    expect(ffmpeg.encoders.has('libx264')).toBe(true);
  });

  it('kills a process at once on abort and settles only after it exited', async () => {
    const controller = new AbortController();
    const started = runTool('sleep', ['30'], { signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(started).rejects.toBe(reason);
  });
});

describe('speech', () => {
  it('synthesizes with the WebAssembly build when no espeak-ng is installed, like the native one', async () => {
    const wasm = await new Speech({ env: { PATH: '' } }).engine();
    expect(wasm.description).toMatch(/WebAssembly/);
    const chunks = ['-Hello there.', 'This is a test of the speech engine.'];
    const signal = new AbortController().signal;
    const done: number[] = [];
    const files = await wasm.synthesize(chunks, {
      voice: 'en-us',
      dir,
      signal,
      onChunk: (n) => done.push(n),
    });
    expect(done).toEqual([1, 2]);
    const wasmSeconds = files.map((f) => parseWav(readFileSync(f)).duration);
    expect(wasmSeconds.every((s) => s > 0.3)).toBe(true);

    const native = await new Speech().engine().catch(() => null);
    if (native && !native.description.includes('WebAssembly')) {
      const nativeDir = mkdtempSync(join(dir, 'native-'));
      const nativeFiles = await native.synthesize(chunks, { voice: 'en-us', dir: nativeDir, signal });
      const nativeSeconds = nativeFiles.map((f) => parseWav(readFileSync(f)).duration);
      for (const [i, s] of nativeSeconds.entries()) expect(s).toBeCloseTo(wasmSeconds[i]!, 1);
    }
  });

  it('names an unknown voice', async () => {
    for (const speech of [new Speech({ env: { PATH: '' } }), new Speech()]) {
      const engine = await speech.engine();
      await expect(
        engine.synthesize(['hello'], { voice: 'zz-nope', dir, signal: new AbortController().signal }),
      ).rejects.toThrow(/no voice "zz-nope"/);
    }
  });
});
