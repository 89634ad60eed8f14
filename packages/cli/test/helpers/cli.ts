import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `longrun` command (`npm test` builds it first). */
export const CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface CliRun {
  proc: ChildProcess;
  /** Everything written to stdout so far. */
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code when the command ends. */
  exited: Promise<number>;
}

/** Run `longrun ...args` with its output on pipes (not a terminal), against `url`. */
export function startCli(
  args: string[],
  { url, env = {}, stdin }: { url?: string; env?: Record<string, string>; stdin?: string } = {},
): CliRun {
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...(url ? { LONGRUN_URL: url } : {}), ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) proc.stdin!.end(stdin);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => {
    out += d;
  });
  proc.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number>((resolve) => proc.once('close', (code) => resolve(code ?? -1)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** Run `longrun ...args` to its end. */
export async function cli(
  args: string[],
  options: { url?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(args, options);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The JSON objects of a --json output, one per line. */
export function jsonLines(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/**
 * A finished text.to_video job, made with `longrun submit --wait --json`; or
 * undefined, with a warning naming the skipped `test`, where the server cannot
 * make videos (ffmpeg or espeak-ng missing). CI must have them.
 */
export async function videoJob(url: string, test: string): Promise<any | undefined> {
  const types = (await (await fetch(`${url}/v1/types`)).json()).data as {
    type: string;
    available: boolean;
  }[];
  if (!types.find((t) => t.type === 'text.to_video')?.available) {
    if (process.env.CI) throw new Error('text.to_video is unavailable: ffmpeg or espeak-ng is missing');
    console.warn(`${test} skipped: text.to_video is unavailable here`);
    return undefined;
  }
  const made = await cli(
    ['submit', 'text.to_video', 'text=Hello.', 'width=160', 'height=90', '--wait', '--json'],
    { url },
  );
  if (made.code !== 0) throw new Error(`submit --wait exited ${made.code}: ${made.stderr}`);
  return jsonLines(made.stdout).at(-1);
}
