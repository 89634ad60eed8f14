/** The scenario's side of a submitter or worker process (bench/src/throughput/processes/). */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Mode, Report } from './protocol.js';

/** Longer than any run takes; a child that says nothing for this long is stuck. */
const SILENCE_MS = 300_000;

export interface BenchChild {
  pid: number;
  /** Run `jobs` jobs in `mode`; resolves with the seconds the child measured. */
  run(mode: Mode, jobs: number): Promise<number>;
  /** Ask the child to close its connections and exit; resolves when it has. */
  stop(): Promise<void>;
}

/** Start processes/<script>.js with `args` and wait until it reports ready. */
export async function startChild(script: string, args: string[]): Promise<BenchChild> {
  const file = fileURLToPath(new URL(`./processes/${script}.js`, import.meta.url));
  const proc = fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exit = new Promise<string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(String(code ?? signal))),
  );
  let stopping = false;
  const died = exit.then((how): never => {
    throw new Error(`${script} exited (${how})${stopping ? '' : ' before it was told to stop'}`);
  });
  died.catch(() => {});
  const reply = async (): Promise<Report> => {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`${script} said nothing for ${SILENCE_MS / 1000} s`));
      }, SILENCE_MS);
    });
    try {
      return await Promise.race([
        new Promise<Report>((resolve) => proc.once('message', resolve)),
        died,
        silent,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const send = (cmd: Command) => proc.send(cmd);

  const first = await reply();
  if (first.op !== 'ready') throw new Error(`${script}: expected ready, got ${JSON.stringify(first)}`);
  return {
    pid: proc.pid!,
    async run(mode, jobs) {
      send({ op: 'run', mode, jobs });
      const r = await reply();
      if (r.op === 'ran') return r.seconds;
      throw new Error(`${script}, ${mode}: ${r.op === 'failed' ? r.message : JSON.stringify(r)}`);
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      stopping = true;
      send({ op: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
