import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_REF_PATTERN } from '../files/refs.js';
import { type Cue, splitIntoChunks, toAss, toWebVtt } from '../media/captions.js';
import { COLOR_PATTERN, toFfmpegColor } from '../media/color.js';
import { fetchInput } from '../media/fetch-input.js';
import { render } from '../media/ffmpeg.js';
import { checkImage, imageInputArgs, isImageMediaType } from '../media/image.js';
import { SpeechError, VoiceNotFoundError } from '../media/speech.js';
import { requireFeatures } from '../media/tools.js';
import { concatWav } from '../media/wav.js';
import { JobFailure, UnrecoverableError } from './errors.js';
import { FRAME_SIZE } from './image-to-video.js';
import type { InputFormat } from './input-formats.js';
import { availability, type MediaDeps, needTool, stageProgress } from './media-common.js';
import type { Processor, ProcessorContext } from './processor.js';

export interface TextToVideoInput {
  text: string;
  voice: string;
  width: number;
  height: number;
  background: string;
}

/** Captions change at most this often: still frames, so a modest rate costs little and looks the same. */
export const TEXT_VIDEO_FRAME_RATE = 30;

const FEATURES = { filters: ['ass', 'scale', 'crop'], encoders: ['libx264', 'aac'] } as const;

/** Progress at the start of each stage, as the API promises. */
const STAGES = {
  audio_generation: 20,
  caption_generation: 40,
  scene_planning: 60,
  background_preparation: 80,
  rendering: 90,
} as const;

/**
 * Text read aloud by eSpeak NG over a colour or a picture, with the words
 * burned in as captions timed to the speech, and the captions as WebVTT.
 *
 * The text is cut into sentences (long ones split at a clause or a space)
 * and each is synthesized on its own, so each caption starts and ends
 * exactly where its audio does.
 */
export function textToVideo(deps: MediaDeps): Processor<TextToVideoInput> {
  const { tools, speech } = deps;
  const ffmpegWithFeatures = async () => {
    const ffmpeg = await tools.ffmpeg();
    requireFeatures(ffmpeg, FEATURES);
    return ffmpeg;
  };
  return {
    type: 'text.to_video',
    queue: 'media',
    fileInputs: ['background'],
    work: 'cpu',
    description:
      'Reads text aloud (eSpeak NG) over a background colour or image and burns in captions timed to the speech; ' +
      'produces an H.264/AAC MP4 and the captions as WebVTT.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['text'],
      properties: {
        text: {
          type: 'string',
          minLength: 1,
          maxLength: 20_000,
          pattern: '\\S',
          format: 'spoken-text' satisfies InputFormat,
          description:
            'What is said and shown: no NUL or other control characters but tab, line feed and carriage return.',
        },
        voice: {
          type: 'string',
          pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*(\\+[A-Za-z0-9]{1,16})?$',
          maxLength: 40,
          default: 'en-us',
          description:
            'An eSpeak NG voice: a language code such as en-us, en-gb, fr, de, es, optionally +variant (en+f3).',
        },
        ...FRAME_SIZE,
        background: {
          type: 'string',
          pattern: `^(${COLOR_PATTERN}|https?://.+|data:.+|${FILE_REF_PATTERN})$`,
          default: '#000000',
          description:
            'A colour (#RGB, #RRGGBB or a CSS name such as black, navy, darkslategray), an image URL, or an uploaded image (its file_… id or /v1/files/{id}/content).',
        },
      },
    },
    timeoutMs({ text }) {
      return 180_000 + text.length * 60;
    },
    check: () => availability(() => Promise.all([ffmpegWithFeatures(), speech.engine()])),
    async run(ctx) {
      const { text, voice, width, height, background } = ctx.input;
      const { signal } = ctx;
      const [ffmpeg, engine] = await needTool(() => Promise.all([ffmpegWithFeatures(), speech.engine()]));
      // No scratch folder for a job already stopped: the pool may have cleaned up already.
      signal.throwIfAborted();
      const dir = await ctx.tempDir();
      const enter = (stage: keyof typeof STAGES, message: string) => {
        ctx.progress(STAGES[stage], { stage, message });
        ctx.log(`${stage}: ${message}`);
      };

      enter('audio_generation', 'Synthesizing speech');
      const chunks = splitIntoChunks(text, { locale: voice.split(/[-+]/)[0]! });
      ctx.log(`speech: ${chunks.length} chunks with ${engine.description}, voice ${voice}`);
      const audioStep = stageProgress(ctx, STAGES.audio_generation, STAGES.caption_generation, {
        eta: false,
      });
      let parts: string[];
      try {
        parts = await engine.synthesize(chunks, {
          voice,
          dir,
          signal,
          onChunk: (n) => audioStep(n / chunks.length),
        });
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof VoiceNotFoundError)
          throw new UnrecoverableError('unknown_voice', err.message, { cause: err });
        if (err instanceof SpeechError)
          throw new UnrecoverableError('speech_failed', err.message, { cause: err });
        throw new JobFailure('speech_failed', `Speech synthesis failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const speechWav = join(dir, 'speech.wav');
      const spans = await concatWav(parts, speechWav);
      const duration = spans.at(-1)!.end;

      enter('caption_generation', 'Timing the captions to the speech');
      const cues: Cue[] = chunks.map((chunk, i) => ({ text: chunk, ...spans[i]! }));
      const vtt = join(dir, 'captions.vtt');
      await writeFile(vtt, toWebVtt(cues));
      await writeFile(join(dir, 'captions.ass'), toAss(cues, { width, height }));

      enter('scene_planning', 'Planning the scene');
      const frames = Math.max(1, Math.ceil(duration * TEXT_VIDEO_FRAME_RATE));
      ctx.log(
        `scene: ${duration.toFixed(3)} s of speech, ${cues.length} captions, ${frames} frames at ${width}x${height}`,
      );

      enter('background_preparation', 'Preparing the background');
      const backgroundInput = await prepareBackground(background, {
        ...deps,
        ffmpeg: ffmpeg.path,
        dir,
        width,
        height,
        ctx,
      });

      enter('rendering', `Rendering ${frames} frames`);
      const out = join(dir, 'video.mp4');
      const step = stageProgress(ctx, STAGES.rendering, 100);
      await render({
        ffmpeg: ffmpeg.path,
        cwd: dir,
        signal,
        totalFrames: frames,
        onProgress: (p) => step(p.fraction),
        args: [
          ...backgroundInput,
          ...['-i', 'speech.wav'],
          // trim, not -frames:v: ffmpeg 5 ends the whole output when one stream reaches -frames, cutting the audio.
          ...['-filter_complex', `[0:v]trim=end_frame=${frames},ass=captions.ass,format=yuv420p[v]`],
          ...['-map', '[v]', '-map', '1:a'],
          ...[
            '-c:v',
            'libx264',
            '-preset',
            'veryfast',
            '-tune',
            'stillimage',
            '-crf',
            '23',
            '-pix_fmt',
            'yuv420p',
          ],
          ...['-c:a', 'aac', '-b:a', '96k', '-ar', '48000'],
          ...['-movflags', '+faststart', '-y', 'video.mp4'],
        ],
      });
      // A job canceled as the render ended keeps no artifacts.
      signal.throwIfAborted();
      const video = await ctx.artifacts.put('video.mp4', out, 'video/mp4');
      const captions = await ctx.artifacts.put('captions.vtt', vtt, 'text/vtt');
      return {
        video_url: video.url,
        captions_url: captions.url,
        artifacts: [video, captions],
        duration_seconds: Number(duration.toFixed(3)),
        width,
        height,
        frame_rate: TEXT_VIDEO_FRAME_RATE,
        frames,
        voice,
        speech_engine: engine.description,
        captions: cues.length,
      };
    },
  };
}

/**
 * The ffmpeg input of the background: a colour source, or the image fetched,
 * checked, scaled to cover the frame and written as background.png, looped.
 */
async function prepareBackground(
  background: string,
  {
    tools,
    policy,
    ffmpeg,
    dir,
    width,
    height,
    ctx,
  }: MediaDeps & {
    ffmpeg: string;
    dir: string;
    width: number;
    height: number;
    ctx: ProcessorContext<TextToVideoInput>;
  },
): Promise<string[]> {
  const rate = String(TEXT_VIDEO_FRAME_RATE);
  const color = toFfmpegColor(background);
  if (color) return ['-f', 'lavfi', '-i', `color=c=${color}:s=${width}x${height}:r=${rate}`];
  const { signal } = ctx;
  const ffprobe = await needTool(() => tools.ffprobe());
  const fetched = await fetchInput(background, {
    dest: join(dir, 'background-input'),
    signal,
    policy,
    accept: isImageMediaType,
    field: 'background',
    files: ctx.files,
  });
  const image = await checkImage({ ffmpeg, ffprobe: ffprobe.path }, fetched.path, {
    field: 'background',
    signal,
  });
  ctx.log(`background: ${image.codec} ${image.width}x${image.height}`);
  const cover = `scale=${width}:${height}:force_original_aspect_ratio=increase:flags=lanczos,crop=${width}:${height},setsar=1`;
  await render({
    ffmpeg,
    signal,
    totalFrames: 1,
    args: [
      ...imageInputArgs(fetched.path),
      '-vf',
      cover,
      '-frames:v',
      '1',
      '-y',
      join(dir, 'background.png'),
    ],
  });
  return ['-protocol_whitelist', 'file', '-loop', '1', '-framerate', rate, '-i', 'background.png'];
}
