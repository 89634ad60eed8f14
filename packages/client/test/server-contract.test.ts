import { removeDir, tempDir } from '@longrun/testkit';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { API_ERRORS } from '../../server/src/errors.js';
import { ALL_STATES, TERMINAL_STATES } from '../../server/src/jobs/states.js';
import { LASTING_CONFLICTS } from '../src/core.js';
import { isTerminalStatus, JOB_STATUSES, TERMINAL_STATUSES } from '../src/types.js';

/**
 * The client depends on nothing of the server's at run time, so what it
 * shares with the server is held to the server here: its wire types are
 * generated from the served /openapi.json, and its copies of the states and
 * error codes are compared with the server's tables. The server is imported
 * from its source, so a change there fails this test before any build.
 */

const WIRE_TYPES = '../src/internal/openapi.ts';
const HEADER = [
  "// Generated from the server's /openapi.json by `npm run generate:client-types`: do not edit.",
  '// The client takes its view of the job and other wire shapes from here (src/types.ts).',
  '',
].join('\n');

async function servedSpec(): Promise<OpenAPI3> {
  const dataDir = tempDir('longrun-contract-');
  try {
    const app = await buildApp(
      loadConfig({ argv: ['--data-dir', dataDir, '--log-level', 'silent'], env: {} }),
    );
    try {
      const res = await app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      return res.json();
    } finally {
      await app.close();
    }
  } finally {
    removeDir(dataDir);
  }
}

describe('the client against the server', () => {
  it('has wire types generated from the served /openapi.json (npm run generate:client-types)', async () => {
    const generated = HEADER + astToString(await openapiTS(await servedSpec()));
    await expect(generated).toMatchFileSnapshot(WIRE_TYPES);
  });

  it("lists the server's job states, and the same ones as terminal", () => {
    expect([...JOB_STATUSES]).toEqual([...ALL_STATES]);
    expect([...TERMINAL_STATUSES].sort()).toEqual([...TERMINAL_STATES].sort());
    for (const status of JOB_STATUSES) expect(isTerminalStatus(status)).toBe(TERMINAL_STATES.has(status));
  });

  it('does not retry exactly the conflicts the error registry marks lasting', () => {
    const lasting = Object.entries(API_ERRORS)
      .filter(([, e]) => 'lasting' in e && e.lasting)
      .map(([code]) => code);
    for (const code of lasting) expect(API_ERRORS[code as keyof typeof API_ERRORS].status).toBe(409);
    expect([...LASTING_CONFLICTS].sort()).toEqual(lasting.sort());
  });
});
