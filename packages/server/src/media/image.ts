import { UnrecoverableError } from '../processors/errors.js';
import { runTool } from './process.js';

export interface ImageInfo {
  codec: string;
  width: number;
  height: number;
}

/** Still-image codecs accepted as input. SVG is not: it can name other files. */
const IMAGE_CODECS = new Set([
  'png',
  'apng',
  'mjpeg',
  'jpegls',
  'webp',
  'gif',
  'bmp',
  'tiff',
  'jpeg2000',
  'qoi',
  'jpegxl',
  'libjxl',
  'ppm',
  'pgm',
  'pbm',
  'pam',
]);

/** The largest image accepted: beyond this a picture is more likely a decompression bomb than a photo. */
export const MAX_IMAGE_SIDE = 16_384;
export const MAX_IMAGE_PIXELS = 80_000_000;

/**
 * Options that make ffmpeg and ffprobe read a file as an image and nothing
 * else: the image demuxer only (so a playlist or other container disguised
 * as a picture cannot make ffmpeg open other files or URLs), local files only.
 */
export function imageInputArgs(path: string): string[] {
  return ['-protocol_whitelist', 'file', '-f', 'image2pipe', '-i', `file:${path}`];
}

/** Media types accepted for an image URL; octet-stream because many stores serve images so. */
export function isImageMediaType(mediaType: string): boolean {
  return (
    (mediaType.startsWith('image/') && mediaType !== 'image/svg+xml') ||
    mediaType === 'application/octet-stream' ||
    mediaType === ''
  );
}

function invalid(field: string, why: string): UnrecoverableError {
  return new UnrecoverableError('invalid_image', `${field} is not a usable image: ${why}`);
}

/**
 * Check that a fetched file is a still image of sane size, then decode it
 * once, strictly, so that a truncated or corrupt file fails here with
 * `invalid_image` and never halfway through a render.
 */
export async function checkImage(
  tools: { ffprobe: string; ffmpeg: string },
  path: string,
  { field, signal }: { field: string; signal: AbortSignal },
): Promise<ImageInfo> {
  const probe = await runTool(
    tools.ffprobe,
    [
      '-v',
      'error',
      ...imageInputArgs(path),
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height',
      '-of',
      'json',
    ],
    { signal },
  );
  let stream: { codec_name?: string; width?: number; height?: number } | undefined;
  try {
    stream = (JSON.parse(probe.stdout) as { streams?: (typeof stream)[] }).streams?.[0];
  } catch {
    stream = undefined;
  }
  if (probe.code !== 0 || !stream)
    throw invalid(field, lastLine(probe.stderrTail) ?? 'it could not be read as an image.');
  const { codec_name: codec = '', width = 0, height = 0 } = stream;
  if (!IMAGE_CODECS.has(codec))
    throw invalid(field, `${codec || 'an unknown format'} is not a supported image format.`);
  if (!(width > 0 && height > 0)) {
    // ffprobe reports 0x0 for sizes its decoder refuses; its message has the size the file claims.
    const said = firstLine(probe.stderrTail);
    throw invalid(field, `its size is ${width}x${height}${said ? ` (${said})` : ''}.`);
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    throw invalid(
      field,
      `${width}x${height} is larger than ${MAX_IMAGE_SIDE} px a side or ${MAX_IMAGE_PIXELS / 1e6} megapixels.`,
    );
  }
  // -xerror stops at the first decoding error. Truncation is only a warning for JPEG (made an error by
  // explode) and is logged without failing for GIF; other formats fail by themselves. explode is not
  // used for all: some valid files (TIFF with unknown tags) then fail.
  const strict = codec === 'mjpeg' ? ['-err_detect', 'explode'] : [];
  const decode = await runTool(
    tools.ffmpeg,
    ['-v', 'error', '-xerror', ...strict, ...imageInputArgs(path), '-frames:v', '1', '-f', 'null', '-'],
    { signal },
  );
  const complained = codec === 'gif' && decode.stderrTail.some((l) => l.trim());
  if (decode.code !== 0 || complained) {
    throw invalid(field, lastLine(decode.stderrTail) ?? 'it could not be decoded.');
  }
  return { codec, width, height };
}

function lastLine(lines: string[]): string | undefined {
  return clean(lines.filter((l) => l.trim()).at(-1));
}

function firstLine(lines: string[]): string | undefined {
  return clean(lines.find((l) => l.trim()));
}

/** A log line without ffmpeg's "[png @ 0x55…]" prefixes. */
function clean(line: string | undefined): string | undefined {
  return line?.replace(/^(\[[^\]]*\]\s*)+/, '').trim();
}
