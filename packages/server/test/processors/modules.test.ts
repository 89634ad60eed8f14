import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { removeDir, SERVER_MAIN, tempDir } from '@longrun/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/processors/index.js';
import { ProcessorModuleError, registerProcessorModules } from '../../src/processors/modules.js';
import { ProcessorRegistry } from '../../src/processors/registry.js';
import { runProgram } from '../helpers/run.js';

// Modules in a temp folder cannot resolve @longrun/server by name: they import the built package by
// its URL. In-process, that is another copy of the module than the tests' own sources, as a module
// with its own node_modules would be: what defineProcessor made there is recognised here all the same.
const SERVER = pathToFileURL(join(SERVER_MAIN, '..', 'index.js')).href;
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI_MAIN = join(ROOT, 'packages', 'cli', 'dist', 'main.js');
const dir = tempDir('longrun-modules-');
afterAll(() => removeDir(dir));

let made = 0;
/** A module file (or, with `folder`, a file in a fresh folder) holding `body` after the import of defineProcessor. */
function moduleFile(body: string, name = `m${++made}.mjs`, folder = dir): string {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, name);
  writeFileSync(file, `import { defineProcessor } from '${SERVER}';\n${body}\n`);
  return file;
}

const processor = (type: string, extra = '') =>
  `defineProcessor({ type: '${type}', description: 'A test type.', inputSchema: { type: 'object' }, async run() { return {}; }${extra} })`;

const types = (registry: ProcessorRegistry) => registry.types;

describe('processor modules', () => {
  it('loads a folder in name order, not recursively, taking default and named exports once each', async () => {
    const folder = join(dir, 'folder');
    moduleFile(`export default ${processor('b.one')};`, 'b.mjs', folder);
    moduleFile(
      `const two = ${processor('a.two')};\nexport default [two, ${processor('a.three')}];\nexport { two };\nexport const helper = 42;\nexport const more = [${processor('a.four')}];`,
      'a.js',
      folder,
    );
    moduleFile(`export default ${processor('nested.no')};`, 'c.mjs', join(folder, 'sub'));
    writeFileSync(join(folder, 'notes.txt'), 'not a module');
    const registry = new ProcessorRegistry();
    await registerProcessorModules(registry, [folder]);
    expect(types(registry)).toEqual(['a.two', 'a.three', 'a.four', 'b.one']);
  });

  it('loads paths in the order given, beside the built-in types', async () => {
    const first = moduleFile(`export const x = ${processor('x.first')};`);
    const second = moduleFile(
      `export default ${processor('x.second', ", queue: 'x-lane', work: 'waiting'")};`,
    );
    const registry = defaultRegistry();
    await registerProcessorModules(registry, [second, first]);
    expect(types(registry).slice(-2)).toEqual(['x.second', 'x.first']);
    expect(registry.get('x.second')).toMatchObject({ queue: 'x-lane', work: 'waiting' });
  });

  // In-process, vitest's module loader reads the source, and words a syntax error its own way.
  const bad: [string, () => string[], RegExp][] = [
    [
      'throws on load',
      () => [moduleFile(`throw new Error('no licence key\\nset ACME_KEY');`)],
      /failed to load: no licence key set ACME_KEY$/,
    ],
    [
      'does not parse',
      () => [moduleFile('export default {')],
      /failed to load: (SyntaxError: Unexpected|.*invalid JS syntax)/,
    ],
    [
      'exports nothing usable',
      () => [moduleFile('export const answer = 42;')],
      /exports no processor; export one made with defineProcessor/,
    ],
    [
      'default-exports a plain object',
      () => [moduleFile("export default { type: 'plain.object', async run() { return {}; } };")],
      /its default export is not a processor made with defineProcessor/,
    ],
    [
      'mixes processors and other values in an array',
      () => [moduleFile(`export const all = [${processor('mixed.one')}, 'two'];`)],
      /export "all" is an array mixing processors with other values/,
    ],
    [
      'defines a built-in type',
      () => [moduleFile(`export default ${processor('simulate')};`)],
      /job type simulate is already defined by a built-in type/,
    ],
    [
      'defines a type another module defined',
      () => {
        const first = moduleFile(`export default ${processor('twice.defined')};`, 'first.mjs');
        return [first, moduleFile(`export default ${processor('twice.defined')};`, 'second.mjs')];
      },
      /second\.mjs: job type twice\.defined is already defined by \S+first\.mjs; give it another name$/,
    ],
    [
      'has an invalid input schema',
      () => [
        moduleFile(
          "export default defineProcessor({ type: 'bad.schema', description: 'A test type.', inputSchema: { type: 'object', properties: { n: { type: 'int' } } }, async run() { return {}; } });",
        ),
      ],
      /failed to load: TypeError: defineProcessor\(bad\.schema\): inputSchema is not a valid JSON Schema: schema is invalid: data\/properties\/n\/type/,
    ],
    [
      'puts cpu work in a waiting queue',
      () => [moduleFile(`export default ${processor('odd.lane', ", queue: 'simulate'")};`)],
      /job type odd\.lane does cpu work in queue simulate, where simulate does waiting work/,
    ],
    ['is not there', () => [join(dir, 'missing.mjs')], /missing\.mjs: cannot be read \(ENOENT\)$/],
    [
      'is not a module file',
      () => [moduleFile('', 'types.ts')],
      /types\.ts: is not an ES module file; give a \.js or \.mjs file/,
    ],
    [
      'is a folder without modules',
      () => {
        mkdirSync(join(dir, 'empty'));
        return [join(dir, 'empty')];
      },
      /empty: is a folder with no \.js or \.mjs module in it/,
    ],
  ];

  describe.each(bad)('a module that %s', (_, paths, reason) => {
    let given: string[];
    const at = () => {
      given ??= paths();
      return given;
    };

    it('is refused with the file and the reason', async () => {
      const error = await registerProcessorModules(defaultRegistry(), at()).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(ProcessorModuleError);
      expect((error as ProcessorModuleError).file).toBe(at().at(-1));
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).not.toContain('\n');
    });

    it('stops the server at start with one line naming it, and a non-zero exit code', async () => {
      const data = tempDir('longrun-modules-data-');
      try {
        const args = at().flatMap((path) => ['--processors', path]);
        const run = await runProgram(
          process.execPath,
          [SERVER_MAIN, '--port', '0', '--data-dir', data, ...args],
          { cwd: ROOT },
        );
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        const lines = run.stderr.split('\n').filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(`longrun: could not start: --processors ${at().at(-1)}: `);
        expect(lines[0]).toMatch(reason);
      } finally {
        removeDir(data);
      }
    });
  });

  it("stops `longrun serve` (what npm start runs) with the same line, and the command's error code", async () => {
    const file = moduleFile("throw new Error('no licence key');");
    const data = tempDir('longrun-modules-data-');
    try {
      const run = await runProgram(
        process.execPath,
        [CLI_MAIN, 'serve', '--port', '0', '--data-dir', data, '--processors', file],
        { cwd: ROOT },
      );
      expect(run.code).toBe(4);
      expect(run.stderr).toBe(
        `longrun: could not start: --processors ${file}: failed to load: no licence key\n`,
      );
    } finally {
      removeDir(data);
    }
  });
});
