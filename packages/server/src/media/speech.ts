import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from './process.js';
import { forgetFailure, locateTool } from './tools.js';

/** Turns text into speech, one WAV file per chunk, so that each chunk's length is known exactly. */
export interface SpeechEngine {
  /** e.g. "espeak-ng 1.51 (/usr/bin/espeak-ng)". */
  readonly description: string;
  synthesize(chunks: readonly string[], options: SynthesizeOptions): Promise<string[]>;
}

export interface SynthesizeOptions {
  /** An eSpeak NG voice, e.g. "en-us", "fr", "en+f3". */
  voice: string;
  /** Where the WAV files go. */
  dir: string;
  signal: AbortSignal;
  /** Called after each chunk with the number done so far. */
  onChunk?: (done: number) => void;
}

/** The voice is not one the engine has. */
export class VoiceNotFoundError extends Error {
  override name = 'VoiceNotFoundError';
}

/** The engine failed; the message has its last lines. */
export class SpeechError extends Error {
  override name = 'SpeechError';
}

const VOICE_MISSING = /voice does not exist|Failed to read voice/i;

const ESPEAK_HINT =
  'Install eSpeak NG (Debian/Ubuntu: apt-get install espeak-ng; macOS: brew install espeak-ng) or point ' +
  'ESPEAK_NG_PATH (--espeak-path) at it; the WebAssembly fallback, the npm package espeak-ng, is missing.';

export interface SpeechOptions {
  /** The espeak-ng binary; when null, PATH, then the WebAssembly build from npm. @default null */
  espeakPath?: string | null;
  /** The environment whose PATH is searched. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Speech synthesis with eSpeak NG: the native program when the settings or
 * PATH have it (fast), else its WebAssembly build from npm, run in a child
 * process so that it neither blocks the server nor survives a cancel.
 */
export class Speech {
  readonly #options: Required<SpeechOptions>;
  #engine: Promise<SpeechEngine> | null = null;

  constructor({ espeakPath = null, env = process.env }: SpeechOptions = {}) {
    this.#options = { espeakPath, env };
  }

  engine(): Promise<SpeechEngine> {
    this.#engine ??= forgetFailure(this.#find(), () => {
      this.#engine = null;
    });
    return this.#engine;
  }

  async #find(): Promise<SpeechEngine> {
    try {
      const found = await locateTool({
        name: 'espeak-ng',
        explicit: this.#options.espeakPath,
        setting: 'ESPEAK_NG_PATH (--espeak-path)',
        npmPackage: null,
        installHint: ESPEAK_HINT,
        version: espeakVersion,
        env: this.#options.env,
      });
      return new NativeEspeak(found.path, found.version);
    } catch (err) {
      if (this.#options.espeakPath) throw err;
      const wasm = wasmEspeak();
      if (wasm) return wasm;
      throw err;
    }
  }
}

async function espeakVersion(path: string): Promise<string | null> {
  try {
    const { code, stdout } = await runTool(path, ['--version'], { timeoutMs: 15_000 });
    const m = /eSpeak NG text-to-speech: (\S+)/.exec(stdout);
    return code === 0 && m ? m[1]! : null;
  } catch {
    return null;
  }
}

/** Arguments common to both engines: UTF-8 input, the voice, a WAV file out, the text from a file or stdin. */
function espeakArgs(voice: string, out: string): string[] {
  return ['-b', '1', '-v', voice, '-w', out];
}

class NativeEspeak implements SpeechEngine {
  readonly description: string;
  readonly #path: string;

  constructor(path: string, version: string) {
    this.#path = path;
    this.description = `espeak-ng ${version} (${path})`;
  }

  async synthesize(chunks: readonly string[], { voice, dir, signal, onChunk }: SynthesizeOptions) {
    const files: string[] = [];
    for (const [i, text] of chunks.entries()) {
      const out = join(dir, `speech-${String(i).padStart(5, '0')}.wav`);
      // Text goes in on stdin: a chunk that starts with "-" is never read as an option.
      const result = await runTool(this.#path, [...espeakArgs(voice, out), '--stdin'], {
        stdin: text,
        signal,
      });
      const said = result.stderrTail.join('\n');
      if (VOICE_MISSING.test(said)) throw new VoiceNotFoundError(voiceMissing(voice));
      if (result.code !== 0)
        throw new SpeechError(`espeak-ng exited with ${result.code ?? result.killedBy}: ${said}`);
      files.push(out);
      onChunk?.(i + 1);
    }
    return files;
  }
}

/** The WebAssembly engine, when the npm package espeak-ng is installed. */
function wasmEspeak(): SpeechEngine | null {
  let entry: string;
  let version: string;
  try {
    const require = createRequire(import.meta.url);
    entry = require.resolve('espeak-ng');
    version = (require('espeak-ng/package.json') as { version: string }).version;
  } catch {
    return null;
  }
  // The compiled child, found from the package root so that this works from dist/ and, under a test
  // runner, from src/ (after a build) alike.
  const child = fileURLToPath(new URL('../../dist/media/espeak-wasm-child.js', import.meta.url));
  return {
    description: `espeak-ng ${version} WebAssembly (npm package espeak-ng)`,
    async synthesize(chunks, { voice, dir, signal, onChunk }) {
      const files = chunks.map((_, i) => join(dir, `speech-${String(i).padStart(5, '0')}.wav`));
      const request = {
        entry,
        args: espeakArgs(voice, '/out.wav'),
        jobs: chunks.map((text, i) => ({ text, out: files[i] })),
      };
      const result = await runTool(process.execPath, [child], {
        stdin: JSON.stringify(request),
        signal,
        onLine: (line) => {
          const done = Number(/^done (\d+)$/.exec(line)?.[1]);
          if (done > 0) onChunk?.(done);
        },
      });
      const said = result.stderrTail.join('\n');
      if (VOICE_MISSING.test(said)) throw new VoiceNotFoundError(voiceMissing(voice));
      if (result.code !== 0) {
        throw new SpeechError(
          `espeak-ng (WebAssembly) exited with ${result.code ?? result.killedBy}: ${said}`,
        );
      }
      return files;
    },
  };
}

function voiceMissing(voice: string): string {
  return `eSpeak NG has no voice "${voice}"; use a language code such as "en", "en-us", "fr" or "de" (espeak-ng --voices lists them).`;
}
