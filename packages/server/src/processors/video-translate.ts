import { seededRandom } from '../internal/random.js';
import type { Processor } from './processor.js';
import { planOutcome, runSimulation, type SimulatedInput, simulatedJob } from './simulated-backend.js';

export interface VideoTranslateInput extends SimulatedInput {
  video_url: string;
  target_language: string;
  source_language?: string;
}

const LANGUAGE = { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 };

/**
 * Simulated video translation: the stages and output of a real dubbing
 * backend, with no video fetched or made. It exists so that clients can be
 * built and tested against realistic timing, progress and failures.
 */
export const videoTranslate: Processor<VideoTranslateInput> = {
  type: 'video.translate',
  queue: 'translate',
  work: 'waiting',
  description:
    'SIMULATED video translation: walks through the stages of a dubbing backend (extracting audio, ' +
    'transcribing, translating, synthesizing voice, lip sync, muxing) over duration_seconds and returns an ' +
    'output shaped like a real one, marked simulated: true. No video is fetched or produced. Fails with ' +
    "simulated_error at error_rate (the server's --simulate-error-rate by default).",
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['video_url', 'target_language'],
    properties: {
      video_url: { type: 'string', format: 'uri', maxLength: 2048, description: 'The video to translate.' },
      target_language: { ...LANGUAGE, description: 'BCP 47 tag of the language to dub into, e.g. "es".' },
      source_language: {
        ...LANGUAGE,
        description: 'BCP 47 tag of the spoken language; detected when omitted.',
      },
      duration_seconds: {
        type: 'number',
        minimum: 0,
        maximum: 86400,
        default: 30,
        description: 'How long the simulated translation takes, in seconds.',
      },
      error_rate: { type: 'number', minimum: 0, maximum: 1, description: 'Chance of a simulated_error.' },
      seed: { type: 'integer', minimum: 0, maximum: 2147483647, description: 'Fixes the outcome.' },
    },
  },
  ...simulatedJob,
  async run(ctx) {
    const {
      video_url,
      target_language,
      source_language,
      duration_seconds,
      error_rate = 0,
      seed = 0,
    } = ctx.input;
    const outcome = planOutcome(seed, error_rate);
    await runSimulation(ctx, {
      durationMs: duration_seconds * 1000,
      stages: [
        { stage: 'extracting_audio', weight: 1, message: 'Extracting the audio track' },
        { stage: 'transcribing', weight: 3, message: 'Transcribing speech' },
        { stage: 'translating', weight: 2, message: `Translating into ${target_language}` },
        { stage: 'synthesizing_voice', weight: 3, message: 'Synthesizing the dubbed voice' },
        { stage: 'lip_sync', weight: 3, message: 'Aligning lips to the new audio' },
        { stage: 'muxing', weight: 1, message: 'Muxing video and dubbed audio' },
      ],
      failure: outcome.fails
        ? { at: outcome.at, message: 'The simulated translation backend failed.' }
        : null,
    });
    const random = seededRandom(seed ^ 0x5bd1e995);
    const segments = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => ({
      start: i * 4,
      end: i * 4 + 3.5,
      text: `[simulated source segment ${i + 1}]`,
      translation: `[simulated ${target_language} segment ${i + 1}]`,
    }));
    return {
      simulated: true,
      source_video_url: video_url,
      source_language: source_language ?? 'en',
      source_language_detected: source_language === undefined,
      target_language,
      segments,
      translated_video_url: null,
      note: 'Simulated: no video was fetched or produced.',
    };
  },
};
