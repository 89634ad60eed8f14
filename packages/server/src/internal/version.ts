import { readFileSync } from 'node:fs';

/** The version of @longrun/server, from its package.json (the same file from src/ and from dist/). */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
