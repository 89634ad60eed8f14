import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_QUEUE, DEFAULT_WORK } from '../queues/queues.js';
import { type DefinedProcessor, isDefinedProcessor } from './define.js';
import type { ProcessorRegistry } from './registry.js';

/** What a `--processors` path may name: an ES module, or a folder of them. */
const MODULE_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.mjs']);

/**
 * A module given to `--processors` that cannot be used: the message is one
 * line that names the file and says why, for `longrun: could not start: …`.
 */
export class ProcessorModuleError extends Error {
  override name = 'ProcessorModuleError';
  readonly file: string;

  constructor(file: string, reason: string, options: { cause?: unknown } = {}) {
    super(`--processors ${file}: ${reason}`, options);
    this.file = file;
  }
}

/**
 * Import the modules of `paths` (files, and the .js/.mjs files of folders in
 * name order, not recursive) and register the processors they export, in that
 * order, beside the registry's own types. Every export made with
 * defineProcessor counts, or an array of them: the default export, then the
 * named ones; one exported under two names counts once. Throws a
 * {@link ProcessorModuleError} for the first module that fails to load,
 * exports no processor, or defines a type already taken.
 */
export async function registerProcessorModules(
  registry: ProcessorRegistry,
  paths: readonly string[],
): Promise<void> {
  const origins = new Map<string, string>();
  for (const path of paths) {
    for (const file of await moduleFiles(path)) {
      for (const processor of processorsOf(file, await importModule(file))) {
        register(registry, file, processor, origins);
      }
    }
  }
}

async function moduleFiles(path: string): Promise<string[]> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (err) {
    throw new ProcessorModuleError(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`, {
      cause: err,
    });
  }
  if (!isFolder) {
    if (!MODULE_EXTENSIONS.has(extname(path)))
      throw new ProcessorModuleError(
        path,
        'is not an ES module file; give a .js or .mjs file (compile TypeScript first), or a folder of them',
      );
    return [path];
  }
  const entries = await readdir(path, { withFileTypes: true });
  const files = entries
    .filter((e) => !e.isDirectory() && MODULE_EXTENSIONS.has(extname(e.name)))
    .map((e) => e.name)
    // Name order by code unit, the same on every machine and locale.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(path, name));
  if (files.length === 0)
    throw new ProcessorModuleError(
      path,
      'is a folder with no .js or .mjs module in it (folders are not searched)',
    );
  return files;
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ProcessorModuleError(file, `failed to load: ${oneLine(err)}`, { cause: err });
  }
}

/** The processors a module exports: its default export first, then its named exports. */
function processorsOf(file: string, namespace: Record<string, unknown>): DefinedProcessor[] {
  const found: DefinedProcessor[] = [];
  const names = Object.keys(namespace).sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : 0));
  for (const name of names) {
    const value = namespace[name];
    const items = Array.isArray(value) ? value : [value];
    const defined = items.filter(isDefinedProcessor);
    if (defined.length > 0 && defined.length < items.length)
      throw new ProcessorModuleError(
        file,
        `export "${name}" is an array mixing processors with other values; make each item with defineProcessor`,
      );
    if (defined.length === 0 && name === 'default')
      throw new ProcessorModuleError(
        file,
        'its default export is not a processor made with defineProcessor from @longrun/server, nor an array of them',
      );
    for (const processor of defined) if (!found.includes(processor)) found.push(processor);
  }
  if (found.length === 0)
    throw new ProcessorModuleError(
      file,
      'exports no processor; export one made with defineProcessor from @longrun/server (export default defineProcessor({ … }))',
    );
  return found;
}

function register(
  registry: ProcessorRegistry,
  file: string,
  processor: DefinedProcessor,
  origins: Map<string, string>,
): void {
  const { type } = processor;
  if (registry.has(type)) {
    const by = origins.get(type);
    throw new ProcessorModuleError(
      file,
      `job type ${type} is already defined ${by === undefined ? 'by a built-in type' : by === file ? 'earlier in this module' : `by ${by}`}; give it another name`,
    );
  }
  const queue = processor.queue ?? DEFAULT_QUEUE;
  const work = processor.work ?? DEFAULT_WORK;
  const other = registry.processors.find(
    (p) => (p.queue ?? DEFAULT_QUEUE) === queue && (p.work ?? DEFAULT_WORK) !== work,
  );
  if (other)
    throw new ProcessorModuleError(
      file,
      `job type ${type} does ${work} work in queue ${queue}, where ${other.type} does ${other.work ?? DEFAULT_WORK} work; name another queue, or set work to "${other.work ?? DEFAULT_WORK}"`,
    );
  try {
    registry.register(processor);
  } catch (err) {
    throw new ProcessorModuleError(file, oneLine(err), { cause: err });
  }
  origins.set(type, file);
}

/** An error's message on one line, for a start-up line that scripts and people read alike. */
function oneLine(err: unknown): string {
  const text =
    err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
