import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The built server entry of the workspace's @longrun/server. */
const SERVER_MAIN = join(
  dirname(createRequire(import.meta.url).resolve('@longrun/server/package.json')),
  'dist/main.js',
);

export interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Start a server process and wait for its "listening" line. */
export async function startServer(
  args: string[],
  { nodeArgs = [] }: { nodeArgs?: string[] } = {},
): Promise<Server> {
  const proc = spawn(
    process.execPath,
    [...nodeArgs, SERVER_MAIN, '--port', '0', '--log-level', 'warn', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d) => {
    out += d;
  });
  proc.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const poll = setInterval(() => {
      const m = /longrun listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(m[1]!);
      }
    }, 20);
    exited.then(() => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`server exited before listening:\n${out}`));
    });
  });
  return {
    url,
    proc,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
