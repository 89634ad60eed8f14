import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { removeDir, tempDir } from './temp.js';

const require = createRequire(import.meta.url);

/** The built entry of @longrun/server (`npm test` and the bench scripts build it first). */
export const SERVER_MAIN = join(require.resolve('@longrun/server/package.json'), '..', 'dist', 'main.js');

export interface RunningProcess {
  url: string;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** SIGTERM, then wait for the exit. */
  stop: () => Promise<number | string>;
  /** Send a signal (SIGKILL by default) and wait for the exit. */
  kill: (signal?: NodeJS.Signals) => Promise<number | string>;
}

export interface ProcessOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Also copy the child's output to this process's stderr (for debugging a run). */
  echo?: boolean;
  /** How long to wait for the "listening on" line. */
  startTimeoutMs?: number;
}

/** Start a node script that prints `listening on http://…` when ready, and wait for that line. */
export async function startProcess(
  script: string,
  args: string[],
  options: ProcessOptions = {},
): Promise<RunningProcess> {
  const { env = {}, nodeArgs = [], echo = false, startTimeoutMs = 30_000 } = options;
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (d: Buffer) => {
    out += d;
    if (echo) process.stderr.write(d);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${startTimeoutMs} ms:\n${out}`));
    }, startTimeoutMs);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before listening:\n${out}`));
    });
  });
  const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited;
  };
  return { url, proc, output: () => out, exited, kill, stop: () => kill('SIGTERM') };
}

export interface LongrunServer extends RunningProcess {
  port: number;
  /** The data dir, when the server has one (not with --database-url alone). */
  dataDir: string | undefined;
  /**
   * Start the server again with the same flags on the same port (after `stop` or `kill`),
   * so that clients holding its URL reconnect to it. The data dir is kept.
   */
  restart: () => Promise<LongrunServer>;
  /** Stop the server (SIGTERM) and remove the data dir it was given by default. */
  close: () => Promise<void>;
}

export interface ServerOptions extends ProcessOptions {
  /**
   * The data dir: a path, or `false` for none (a PostgreSQL-only server).
   * By default a fresh temp dir that `close()` removes.
   */
  dataDir?: string | false;
  port?: number;
  logLevel?: string;
}

/** A `longrun-server` child process on 127.0.0.1 (port 0 unless given), ready when this resolves. */
export async function startServer(args: string[] = [], options: ServerOptions = {}): Promise<LongrunServer> {
  const { dataDir: given, port = 0, logLevel = 'warn', ...processOptions } = options;
  const owned = given === undefined;
  const dataDir = given === undefined ? tempDir('longrun-server-') : given || undefined;
  const launch = async (listenPort: number): Promise<LongrunServer> => {
    const flags = ['--port', String(listenPort), '--log-level', logLevel];
    if (dataDir !== undefined) flags.push('--data-dir', dataDir);
    let running: RunningProcess;
    try {
      running = await startProcess(SERVER_MAIN, [...flags, ...args], processOptions);
    } catch (err) {
      if (owned && dataDir !== undefined) removeDir(dataDir);
      throw err;
    }
    const actualPort = Number(new URL(running.url).port);
    return {
      ...running,
      port: actualPort,
      dataDir,
      restart: async () => {
        await running.kill('SIGKILL');
        return launch(actualPort);
      },
      close: async () => {
        await running.stop();
        if (owned && dataDir !== undefined) removeDir(dataDir);
      },
    };
  };
  return launch(port);
}
