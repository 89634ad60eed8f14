import { spawn, spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

export interface RunToolOptions {
  /** Kills the process with SIGKILL at once; the call then rejects with the signal's reason, after the exit. */
  signal?: AbortSignal | undefined;
  /** Working folder of the process. */
  cwd?: string | undefined;
  /** Written to the process's standard input, which is then closed. */
  stdin?: string | Buffer | undefined;
  /** Called with each line of standard output; when absent, output is collected (up to `maxOutputBytes`). */
  onLine?: ((line: string) => void) | undefined;
  /** The most standard output kept when it is collected. @default 8 MiB */
  maxOutputBytes?: number | undefined;
  /** Kill the process if it runs longer. @default none */
  timeoutMs?: number | undefined;
}

/**
 * `setpriv --pdeathsig SIGKILL` (util-linux, Linux), if it is here: it makes
 * the kernel kill the program when this process dies, even by SIGKILL. Without
 * it an ffmpeg whose server crashed renders on as an orphan (it ignores the
 * broken progress pipe). Looked up once; null elsewhere.
 */
let deathGuard: string | null | undefined;

function parentDeathGuard(): string | null {
  if (deathGuard !== undefined) return deathGuard;
  deathGuard = null;
  if (process.platform !== 'linux') return deathGuard;
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin']) {
    if (!dir) continue;
    const candidate = join(dir, 'setpriv');
    if (spawnSync(candidate, ['--pdeathsig', 'SIGKILL', '--', 'true'], { stdio: 'ignore' }).status === 0) {
      deathGuard = candidate;
      break;
    }
  }
  return deathGuard;
}

export interface ToolResult {
  code: number | null;
  /** The signal that ended the process, if one did. */
  killedBy: NodeJS.Signals | null;
  /** Collected standard output (empty when `onLine` was given). */
  stdout: string;
  /** The last lines of standard error, for messages. */
  stderrTail: string[];
}

const STDERR_LINES = 30;

/**
 * Run a program to its end without a shell. Arguments go to the program as
 * they are, so no input can become a shell command. Cancel is immediate: the
 * abort signal sends SIGKILL, and the call settles only once the process has
 * exited, so no process outlives its job; on Linux none outlives the server
 * either (see parentDeathGuard).
 */
export function runTool(
  file: string,
  args: readonly string[],
  { signal, cwd, stdin, onLine, maxOutputBytes = 8 * 1024 * 1024, timeoutMs }: RunToolOptions = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const guard = parentDeathGuard();
    // setpriv execs the program in its own place: the pid, the kill and the exit status are the program's.
    const child = spawn(guard ?? file, guard ? ['--pdeathsig', 'SIGKILL', '--', file, ...args] : args, {
      cwd,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stderrTail: string[] = [];
    let stdout = '';
    let stdoutBytes = 0;
    let spawnError: Error | null = null;
    let timedOut = false;

    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', kill, { once: true });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            kill();
          }, timeoutMs);

    const out = child.stdout!;
    lines(child.stderr!, (line) => {
      stderrTail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (stderrTail.length > STDERR_LINES) stderrTail.shift();
    });
    if (onLine) lines(out, onLine);
    else {
      out.setEncoding('utf8');
      out.on('data', (chunk: string) => {
        stdoutBytes += Buffer.byteLength(chunk);
        if (stdoutBytes <= maxOutputBytes) stdout += chunk;
      });
    }
    if (child.stdin) {
      // A process that exits without reading its input makes the write fail with EPIPE: not our error.
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
    }
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', kill);
      clearTimeout(timer);
      if (signal?.aborted) reject(signal.reason);
      else if (spawnError) reject(spawnError);
      else if (timedOut) reject(new Error(`${file} ran longer than ${timeoutMs} ms and was killed`));
      else resolve({ code, killedBy, stdout, stderrTail });
    });
  });
}

/** Call `onLine` with each line of a stream, decoded as UTF-8. */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let nl = rest.indexOf('\n');
    while (nl !== -1) {
      onLine(rest.slice(0, nl).replace(/\r$/, ''));
      rest = rest.slice(nl + 1);
      nl = rest.indexOf('\n');
    }
    // A process that never ends a line must not grow this without bound.
    if (rest.length > 64 * 1024) rest = rest.slice(-64 * 1024);
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
  });
}
