#!/usr/bin/env node
// Fails when jscpd (settings in .jscpd.json) finds more clones than the project allows.
// jscpd's own threshold is a share of duplicated lines, which a large tree dilutes; a count does not.
import { createRequire } from 'node:module';

// jscpd's ES module build imports a path that does not resolve; its CommonJS build works.
const { jscpd } = createRequire(import.meta.url)('jscpd');

const MAX_CLONES = 7;

const clones = await jscpd(process.argv);
if (clones.length > MAX_CLONES) {
  console.error(
    `check-copies: ${clones.length} clones, at most ${MAX_CLONES} allowed: make one piece of code serve each of them`,
  );
  process.exit(1);
}
console.log(`check-copies: ${clones.length} clones (at most ${MAX_CLONES})`);
