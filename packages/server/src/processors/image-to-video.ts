import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_REF_PATTERN } from '../files/refs.js';
import { fetchInput } from '../media/fetch-input.js';
import { render } from '../media/ffmpeg.js';
import { checkImage, imageInputArgs, isImageMediaType } from '../media/image.js';
import { requireFeatures } from '../media/tools.js';
import { zoomFilter } from '../media/zoom.js';
import { availability, type MediaDeps, needTool, stageProgress } from './media-common.js';
import type { Processor } from './processor.js';

export interface ImageToVideoInput {
  image_url: string;
  length: number;
  frame_rate: number;
  zoom_speed: number;
  width: number;
  height: number;
}

/** An http(s) or data: URL; data: URLs are bounded by the request body limit. */
export const MEDIA_URL = {
  type: 'string',
  // No maxLength, nor minLength (the pattern needs a character): --max-data-url-size and
  // --max-input-size bound it at submit, and counting the characters of a megabyte string (as
  // either does, by code point) blocks for milliseconds.
  // a URL, or an uploaded file: its id or its content URL (files/refs.ts)
  pattern: `^(https?://|data:|(${FILE_REF_PATTERN})$)`,
} as const;

export const FRAME_SIZE = {
  width: {
    type: 'integer',
    minimum: 16,
    maximum: 3840,
    multipleOf: 2,
    default: 1280,
    description: 'Output width in pixels, even, at most 3840.',
  },
  height: {
    type: 'integer',
    minimum: 16,
    maximum: 2160,
    multipleOf: 2,
    default: 720,
    description: 'Output height in pixels, even, at most 2160.',
  },
} as const;

const FEATURES = { filters: ['scale', 'crop', 'zoompan'], encoders: ['libx264'] } as const;

/**
 * A still image made into an H.264 MP4 with a slow, smooth zoom into its
 * centre: exactly length x frame_rate frames, yuv420p, faststart.
 */
export function imageToVideo(deps: MediaDeps): Processor<ImageToVideoInput> {
  const { tools, policy } = deps;
  const ffmpegWithFeatures = async () => {
    const ffmpeg = await tools.ffmpeg();
    requireFeatures(ffmpeg, FEATURES);
    return ffmpeg;
  };
  return {
    type: 'image.to_video',
    queue: 'media',
    fileInputs: ['image_url'],
    work: 'cpu',
    description:
      'Turns a still image (http, https or data: URL) into an H.264 MP4 with a slow, smooth zoom into its centre: ' +
      'exactly length x frame_rate frames at width x height. The image is cropped to fill the frame.',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['image_url'],
      properties: {
        image_url: {
          ...MEDIA_URL,
          description:
            'The image: an http, https or data: URL, or an uploaded file (its file_… id or /v1/files/{id}/content) (PNG, JPEG, WebP, GIF, BMP, TIFF…).',
        },
        length: { type: 'integer', minimum: 1, maximum: 600, default: 10, description: 'Length in seconds.' },
        frame_rate: {
          type: 'integer',
          minimum: 1,
          maximum: 60,
          default: 30,
          description: 'Frames per second.',
        },
        zoom_speed: {
          type: 'number',
          minimum: 0,
          maximum: 10,
          default: 3,
          description:
            'How fast the picture grows, in percent per second (0 keeps it still); slowed if needed so that the ' +
            'zoom never passes 4x by the end.',
        },
        ...FRAME_SIZE,
      },
    },
    timeoutMs({ length, frame_rate, width, height }) {
      const frames = length * frame_rate;
      // Generous: about 20x the time a 720p frame takes on 2 slow cores, scaled by area.
      return 120_000 + Math.ceil(frames * ((width * height) / (1280 * 720)) * 60);
    },
    check: () => availability(() => Promise.all([ffmpegWithFeatures(), tools.ffprobe()])),
    async run(ctx) {
      const { image_url, length, frame_rate, zoom_speed, width, height } = ctx.input;
      const { signal } = ctx;
      const frames = length * frame_rate;
      const [ffmpeg, ffprobe] = await needTool(() => Promise.all([ffmpegWithFeatures(), tools.ffprobe()]));
      // No scratch folder for a job already stopped: the pool may have cleaned up already.
      signal.throwIfAborted();
      const dir = await ctx.tempDir();
      const enter = (percent: number, stage: string, message: string) => {
        ctx.progress(percent, { stage, message });
        ctx.log(`${stage}: ${message}`);
      };

      enter(1, 'fetching_input', 'Fetching the image');
      const fetched = await fetchInput(image_url, {
        dest: join(dir, 'input'),
        signal,
        policy,
        accept: isImageMediaType,
        field: 'image_url',
        files: ctx.files,
      });
      ctx.log(`fetched image_url: ${fetched.bytes} bytes, ${fetched.mediaType || 'no media type'}`);

      enter(5, 'checking_image', 'Checking the image');
      const image = await checkImage({ ffmpeg: ffmpeg.path, ffprobe: ffprobe.path }, fetched.path, {
        field: 'image_url',
        signal,
      });
      ctx.log(`image: ${image.codec} ${image.width}x${image.height}`);

      const { filter, finalZoom } = zoomFilter({
        width,
        height,
        frames,
        frameRate: frame_rate,
        zoomSpeed: zoom_speed,
      });
      enter(10, 'rendering', `Rendering ${frames} frames at ${width}x${height}`);
      ctx.log(`rendering with ${ffmpeg.path} (${ffmpeg.version}): zoom 1 to ${finalZoom.toFixed(3)}`);
      const out = join(dir, 'video.mp4');
      await render({
        ffmpeg: ffmpeg.path,
        signal,
        totalFrames: frames,
        onProgress: (() => {
          const step = stageProgress(ctx, 10, 100);
          return (p) => step(p.fraction);
        })(),
        args: [
          ...imageInputArgs(fetched.path),
          ...['-vf', filter, '-frames:v', String(frames), '-an'],
          ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p'],
          ...['-movflags', '+faststart', '-y', out],
        ],
      });
      ctx.log(`rendered ${(await stat(out)).size} bytes`);
      // A job canceled as the render ended keeps no artifacts.
      signal.throwIfAborted();
      const video = await ctx.artifacts.put('video.mp4', out, 'video/mp4');
      return {
        video_url: video.url,
        artifacts: [video],
        width,
        height,
        frame_rate,
        frames,
        duration_seconds: length,
        zoom: { from: 1, to: Number(finalZoom.toFixed(4)) },
        source_image: { format: image.codec, width: image.width, height: image.height },
      };
    },
  };
}
