import { ProcessorRegistry } from './registry.js';
import { simulate } from './simulate.js';
import { videoTranslate } from './video-translate.js';

/** A registry with every job type this server ships. */
export function defaultRegistry(): ProcessorRegistry {
  return new ProcessorRegistry().register(simulate).register(videoTranslate);
}
