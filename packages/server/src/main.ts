#!/usr/bin/env node
import { ConfigError, serve } from './serve.js';

try {
  await serve();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`longrun: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`longrun: could not start: ${(err as Error).message}\n`);
  process.exit(1);
}
