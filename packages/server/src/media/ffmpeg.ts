import { JobFailure } from '../processors/errors.js';
import { runTool } from './process.js';

export interface RenderProgress {
  /** Frames written so far. */
  frame: number;
  /** 0..1 of the frames expected. */
  fraction: number;
  /** Encoding speed as a multiple of real time, when ffmpeg knows it. */
  speed: number | null;
}

export interface RenderOptions {
  /** The ffmpeg binary. */
  ffmpeg: string;
  /** Inputs, filters and outputs; the logging and progress options are added here. */
  args: readonly string[];
  /** How many frames the output will have, for the fraction done. */
  totalFrames: number;
  signal: AbortSignal;
  /** The working folder: filter arguments name files in it by bare name, with nothing to escape. */
  cwd?: string;
  onProgress?: (progress: RenderProgress) => void;
}

/**
 * Run one ffmpeg render, reporting progress from its `-progress` output (a
 * block of key=value lines about twice a second, ending in `progress=`).
 * Cancel kills ffmpeg at once (see runTool). Fails with `render_failed` and
 * ffmpeg's last lines; retryable only when something outside killed it.
 */
export async function render({
  ffmpeg,
  args,
  totalFrames,
  signal,
  cwd,
  onProgress,
}: RenderOptions): Promise<void> {
  let block: Record<string, string> = {};
  const result = await runTool(
    ffmpeg,
    ['-hide_banner', '-nostdin', '-v', 'error', '-progress', 'pipe:1', '-nostats', ...args],
    {
      signal,
      cwd,
      onLine: (line) => {
        const eq = line.indexOf('=');
        if (eq === -1) return;
        const key = line.slice(0, eq).trim();
        block[key] = line.slice(eq + 1).trim();
        if (key !== 'progress') return;
        const frame = Number(block.frame);
        const speed = Number.parseFloat(block.speed ?? '');
        if (Number.isFinite(frame)) {
          onProgress?.({
            frame,
            fraction: totalFrames > 0 ? Math.min(1, frame / totalFrames) : 0,
            speed: Number.isFinite(speed) && speed > 0 ? speed : null,
          });
        }
        block = {};
      },
    },
  );
  if (result.code !== 0) {
    const said = result.stderrTail
      .filter((l) => l.trim())
      .slice(-5)
      .join(' | ');
    throw new JobFailure(
      'render_failed',
      `ffmpeg ${result.killedBy ? `was killed by ${result.killedBy}` : `exited with ${result.code}`}: ${said || 'no message'}`,
      { retryable: result.killedBy !== null },
    );
  }
}
