import { Speech } from '../media/speech.js';
import { MediaTools } from '../media/tools.js';
import type { BackendSettings } from '../translate/backends/create.js';
import { documentTranslate } from './document-translate.js';
import { imageToVideo } from './image-to-video.js';
import { ProcessorRegistry } from './registry.js';
import { simulate } from './simulate.js';
import { textToVideo } from './text-to-video.js';
import { videoTranslate } from './video-translate.js';

export interface RegistryOptions {
  /** Let input URLs reach private, loopback and link-local addresses. @default false */
  allowPrivateUrls?: boolean;
  /** The ffmpeg binary; PATH, then the one @ffmpeg-installer/ffmpeg ships, when null. @default null */
  ffmpegPath?: string | null;
  /** The ffprobe binary; beside ffmpeg, PATH, then @ffprobe-installer/ffprobe, when null. @default null */
  ffprobePath?: string | null;
  /** The espeak-ng binary; PATH, then the WebAssembly build from npm, when null. @default null */
  espeakPath?: string | null;
  /** Where PATH is read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The backend document.translate jobs translate with (the --translate-* settings). @default pseudo */
  translation?: BackendSettings;
}

/** A registry with every job type this server ships. */
export function defaultRegistry({
  allowPrivateUrls = false,
  ffmpegPath = null,
  ffprobePath = null,
  espeakPath = null,
  env = process.env,
  translation = { backend: 'pseudo' },
}: RegistryOptions = {}): ProcessorRegistry {
  const media = {
    tools: new MediaTools({ ffmpegPath, ffprobePath, env }),
    speech: new Speech({ espeakPath, env }),
    policy: { allowPrivate: allowPrivateUrls },
  };
  return new ProcessorRegistry()
    .register(simulate)
    .register(videoTranslate)
    .register(imageToVideo(media))
    .register(textToVideo(media))
    .register(documentTranslate({ backend: translation, policy: media.policy }));
}
