export interface ZoomPlan {
  width: number;
  height: number;
  frames: number;
  frameRate: number;
  /** Percent the picture grows per second; 0 keeps it still. */
  zoomSpeed: number;
}

/** The most the picture is magnified by the end; a faster or longer zoom is slowed to end here. */
export const MAX_ZOOM = 4;
/** The widest the picture is worked on before zoompan: bounds memory and time at large sizes. */
const MAX_WORKING_SIDE = 8192;

/**
 * The filter chain of a slow zoom into the centre of a still picture,
 * ending in exactly `frames` frames of width x height:
 *
 * 1. cover: scale the picture to fill the frame's aspect and crop the rest;
 * 2. supersample it (up to 4x): zoompan places its window on whole input
 *    pixels, so at 1x the zoom visibly shakes; at 4x a step is a quarter
 *    of an output pixel;
 * 3. zoompan with an exponential zoom (the same growth each frame looks
 *    like a steady speed; a linear zoom seems to slow down), centred.
 *
 * Returns the chain and the zoom reached at the last frame.
 */
export function zoomFilter({ width, height, frames, frameRate, zoomSpeed }: ZoomPlan): {
  filter: string;
  finalZoom: number;
} {
  const factor = Math.max(1, Math.min(4, Math.floor(MAX_WORKING_SIDE / Math.max(width, height))));
  const sw = width * factor;
  const sh = height * factor;
  const seconds = frames / frameRate;
  const finalZoom = Math.min(Math.exp((zoomSpeed / 100) * seconds), MAX_ZOOM);
  const perFrame = frames > 1 ? Math.log(finalZoom) / (frames - 1) : 0;
  const filter = [
    `scale=${sw}:${sh}:force_original_aspect_ratio=increase:flags=lanczos`,
    `crop=${sw}:${sh}`,
    'setsar=1',
    `zoompan=z='exp(${perFrame.toFixed(12)}*on)':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=${frames}:s=${width}x${height}:fps=${frameRate}`,
    'format=yuv420p',
  ].join(',');
  return { filter, finalZoom };
}
