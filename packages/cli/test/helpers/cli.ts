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
  { url, env = {} }: { url?: string; env?: Record<string, string> } = {},
): CliRun {
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...(url ? { LONGRUN_URL: url } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  options: { url?: string; env?: Record<string, string> } = {},
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
