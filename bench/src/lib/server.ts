import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** The built server entry of @longrun/server. */
export const SERVER_MAIN = join(require.resolve('@longrun/server/package.json'), '..', 'dist', 'main.js');

export interface Running {
  url: string;
  proc: ChildProcess;
  stop: () => Promise<void>;
}
export type Server = Running;

/** Start a node script that prints `listening on http://…` and wait for that line. */
export async function startProcess(
  script: string,
  args: string[],
  { env = {}, nodeArgs = [] }: { env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<Running> {
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
  return {
    url,
    proc,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** A longrun server with these flags (give it its own --data-dir or --database-url). */
export function startServer(
  args: string[],
  { nodeArgs = [] }: { nodeArgs?: string[] } = {},
): Promise<Running> {
  return startProcess(SERVER_MAIN, ['--port', '0', '--log-level', 'warn', ...args], { nodeArgs });
}

/** A longrun server on a fresh data dir; the dir is removed when it stops. */
export async function startLongrun(args: string[] = [], env: Record<string, string> = {}): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'longrun-bench-'));
  const running = await startProcess(
    SERVER_MAIN,
    ['--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...args],
    { env },
  );
  return {
    ...running,
    stop: async () => {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
