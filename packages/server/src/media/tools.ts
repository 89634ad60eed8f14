import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { runTool } from './process.js';

/** A program found and run once to learn its version. */
export interface FoundTool {
  name: string;
  path: string;
  version: string;
  /** Where it was found: the setting, PATH, or the binary an npm package ships. */
  from: 'setting' | 'PATH' | 'npm';
}

export interface FfmpegTool extends FoundTool {
  filters: ReadonlySet<string>;
  encoders: ReadonlySet<string>;
}

/** A program a processor needs is not there; the message says how to install it. */
export class ToolMissingError extends Error {
  override name = 'ToolMissingError';
  readonly tool: string;

  constructor(tool: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.tool = tool;
  }
}

export interface ToolSpec {
  /** The program's name on PATH. */
  name: string;
  /** An explicit path from the settings; when set, nothing else is tried. */
  explicit: string | null;
  /** How the explicit path is set, for messages. */
  setting: string;
  /** An npm package whose default export has the `path` of a binary it ships. */
  npmPackage: string | null;
  /** Other folders to look in before PATH (ffprobe beside the ffmpeg in use). */
  nearby?: string[];
  /** How to install it, for messages. */
  installHint: string;
  /** The program's version, or null when it does not run as expected. */
  version(path: string): Promise<string | null>;
  env: NodeJS.ProcessEnv;
}

/**
 * Find a program: the explicit setting if there is one (a wrong setting is an
 * error, not a reason to pick another binary); else the first one in
 * `nearby` or on PATH that runs; else the binary an npm package ships.
 */
export async function locateTool(spec: ToolSpec): Promise<FoundTool> {
  const { name, explicit } = spec;
  if (explicit) {
    const version = await spec.version(explicit);
    if (version === null) {
      throw new ToolMissingError(
        name,
        `${spec.setting} is ${explicit}, which does not run as ${name}. ${spec.installHint}`,
      );
    }
    return { name, path: explicit, version, from: 'setting' };
  }
  for (const folder of [...(spec.nearby ?? []), ...(spec.env.PATH ?? '').split(delimiter).filter(Boolean)]) {
    const candidate = join(folder, process.platform === 'win32' ? `${name}.exe` : name);
    if (!(await isExecutable(candidate))) continue;
    const version = await spec.version(candidate);
    if (version !== null) return { name, path: candidate, version, from: 'PATH' };
  }
  if (spec.npmPackage) {
    const shipped = await npmBinary(spec.npmPackage);
    if (shipped) {
      const version = await spec.version(shipped);
      if (version !== null) return { name, path: shipped, version, from: 'npm' };
    }
  }
  throw new ToolMissingError(name, `${name} was not found. ${spec.installHint}`);
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary path an installer package exports, or null when the package is absent or has none for this platform. */
async function npmBinary(pkg: string): Promise<string | null> {
  try {
    const mod = (await import(pkg)) as { default?: { path?: unknown }; path?: unknown };
    const path = mod.default?.path ?? mod.path;
    return typeof path === 'string' ? path : null;
  } catch {
    // Not installed (it is optional), or it throws for an unsupported platform.
    return null;
  }
}

/** `<name> -version` first line, e.g. "5.1.9-0+deb12u1"; null when it does not run. */
async function ffVersion(path: string, name: string): Promise<string | null> {
  try {
    const { code, stdout } = await runTool(path, ['-hide_banner', '-version'], { timeoutMs: 15_000 });
    const m = new RegExp(`^${name} version (\\S+)`).exec(stdout);
    return code === 0 && m ? m[1]! : null;
  } catch {
    return null;
  }
}

/** Names in the listing of `ffmpeg -filters` or `-encoders`: the word after the flags column. */
async function ffList(path: string, what: '-filters' | '-encoders'): Promise<Set<string>> {
  const { stdout } = await runTool(path, ['-hide_banner', what], { timeoutMs: 15_000 });
  const names = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /^\s*[A-Z.|]{3,6}\s+(\S+)\s/.exec(line);
    if (m && m[1] !== '=') names.add(m[1]!);
  }
  return names;
}

export interface MediaToolsOptions {
  /** The ffmpeg binary; when null, PATH, then the one @ffmpeg-installer/ffmpeg ships. @default null */
  ffmpegPath?: string | null;
  /** The ffprobe binary; when null, beside ffmpeg, PATH, then the one @ffprobe-installer/ffprobe ships. @default null */
  ffprobePath?: string | null;
  /** The environment whose PATH is searched. @default process.env */
  env?: NodeJS.ProcessEnv;
}

const FFMPEG_HINT =
  'Install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or point FFMPEG_PATH ' +
  '(--ffmpeg-path) at it; the fallback binary of the optional npm package @ffmpeg-installer/ffmpeg is missing or does not run here.';
const FFPROBE_HINT =
  'Install ffmpeg, which includes ffprobe (Debian/Ubuntu: apt-get install ffmpeg), or point FFPROBE_PATH ' +
  '(--ffprobe-path) at it; the fallback binary of the optional npm package @ffprobe-installer/ffprobe is missing or does not run here.';

/**
 * ffmpeg and ffprobe for the media processors, found once and remembered.
 * A failed search is not remembered: installing the tool fixes the next job
 * without a restart.
 */
export class MediaTools {
  readonly #options: Required<MediaToolsOptions>;
  #ffmpeg: Promise<FfmpegTool> | null = null;
  #ffprobe: Promise<FoundTool> | null = null;

  constructor({ ffmpegPath = null, ffprobePath = null, env = process.env }: MediaToolsOptions = {}) {
    this.#options = { ffmpegPath, ffprobePath, env };
  }

  ffmpeg(): Promise<FfmpegTool> {
    this.#ffmpeg ??= forgetFailure(this.#findFfmpeg(), () => {
      this.#ffmpeg = null;
    });
    return this.#ffmpeg;
  }

  ffprobe(): Promise<FoundTool> {
    this.#ffprobe ??= forgetFailure(this.#findFfprobe(), () => {
      this.#ffprobe = null;
    });
    return this.#ffprobe;
  }

  async #findFfmpeg(): Promise<FfmpegTool> {
    const found = await locateTool({
      name: 'ffmpeg',
      explicit: this.#options.ffmpegPath,
      setting: 'FFMPEG_PATH (--ffmpeg-path)',
      npmPackage: '@ffmpeg-installer/ffmpeg',
      installHint: FFMPEG_HINT,
      version: (p) => ffVersion(p, 'ffmpeg'),
      env: this.#options.env,
    });
    const [filters, encoders] = await Promise.all([
      ffList(found.path, '-filters'),
      ffList(found.path, '-encoders'),
    ]);
    return { ...found, filters, encoders };
  }

  async #findFfprobe(): Promise<FoundTool> {
    let nearby: string[] = [];
    if (!this.#options.ffprobePath) {
      // An ffprobe beside the ffmpeg in use is of the same build: prefer it.
      nearby = await this.ffmpeg().then(
        (f) => (f.from === 'npm' ? [] : [dirname(f.path)]),
        () => [],
      );
    }
    return locateTool({
      name: 'ffprobe',
      explicit: this.#options.ffprobePath,
      setting: 'FFPROBE_PATH (--ffprobe-path)',
      npmPackage: '@ffprobe-installer/ffprobe',
      nearby,
      installHint: FFPROBE_HINT,
      version: (p) => ffVersion(p, 'ffprobe'),
      env: this.#options.env,
    });
  }
}

/** The same promise, after arranging for `forget` to run if it rejects. */
export function forgetFailure<T>(promise: Promise<T>, forget: () => void): Promise<T> {
  promise.catch(forget);
  return promise;
}

/** Check that ffmpeg has what a processor uses; throws {@link ToolMissingError} naming what is absent. */
export function requireFeatures(
  ffmpeg: FfmpegTool,
  { filters = [], encoders = [] }: { filters?: readonly string[]; encoders?: readonly string[] },
): void {
  const missing = [
    ...filters.filter((f) => !ffmpeg.filters.has(f)).map((f) => `the ${f} filter`),
    ...encoders.filter((e) => !ffmpeg.encoders.has(e)).map((e) => `the ${e} encoder`),
  ];
  if (missing.length > 0) {
    throw new ToolMissingError(
      'ffmpeg',
      `The ffmpeg at ${ffmpeg.path} (${ffmpeg.version}) lacks ${missing.join(' and ')}. ` +
        'Install a full build (Debian/Ubuntu: apt-get install ffmpeg) or point FFMPEG_PATH at one.',
    );
  }
}
