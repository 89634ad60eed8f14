#!/usr/bin/env node
// A file that exists before the build, so that `npm install` links the `longrun`
// command; the root's `prepare` script builds dist/ right after.
await import('../dist/main.js');
