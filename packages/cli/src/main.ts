#!/usr/bin/env node
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { describeError } from './describe-error.js';
import { EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
const result = { code: EXIT.completed as number };
const program = buildProgram(version, result);
const verbose = process.argv.includes('--verbose');

// A reader that stops early (`longrun list --json | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.completed);
  throw err;
});

try {
  await program.parseAsync(process.argv);
  process.exitCode = result.code;
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed the help, the version or the usage error already.
    process.exitCode = err.exitCode === 0 ? EXIT.completed : EXIT.error;
  } else {
    process.stderr.write(`${describeError(err, { verbose })}\n`);
    process.exitCode = EXIT.error;
  }
}
