/**
 * A child process that runs the WebAssembly build of eSpeak NG (the npm
 * package espeak-ng) for the parent in speech.ts: the synthesizer runs
 * synchronously, so it must not run on the server's event loop, and a child
 * can be killed at once on cancel.
 *
 * Reads one JSON request on stdin: { entry, args, jobs: [{ text, out }] }.
 * Writes each job's WAV to `out` and prints "done N" after each; exits 1 on
 * failure with the engine's messages on stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Request {
  entry: string;
  args: string[];
  jobs: { text: string; out: string }[];
}

interface EspeakModule {
  FS: { readFile(path: string): Uint8Array; writeFile(path: string, data: string): void };
}

type EspeakFactory = (options: Record<string, unknown>) => Promise<EspeakModule>;

const request = JSON.parse(readFileSync(0, 'utf8')) as Request;
const factory = ((await import(pathToFileURL(request.entry).href)) as { default: EspeakFactory }).default;
// Compile once; each chunk gets a fresh instance (the program keeps state between runs of main).
const compiled = await WebAssembly.compile(readFileSync(join(dirname(request.entry), 'espeak-ng.wasm')));

for (const [i, { text, out }] of request.jobs.entries()) {
  let status = 0;
  const module = await factory({
    arguments: [...request.args, '-f', '/in.txt'],
    preRun: [(m: EspeakModule) => m.FS.writeFile('/in.txt', text)],
    instantiateWasm(
      imports: WebAssembly.Imports,
      done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
    ) {
      WebAssembly.instantiate(compiled, imports).then((instance) => done(instance, compiled));
      return {};
    },
    print() {},
    printErr(line: string) {
      if (!line.startsWith('program exited')) process.stderr.write(`${line}\n`);
    },
    quit(code: number, toThrow: unknown) {
      status = code;
      throw toThrow;
    },
  });
  if (status !== 0) process.exit(1);
  writeFileSync(out, module.FS.readFile('/out.wav'));
  process.stdout.write(`done ${i + 1}\n`);
}
