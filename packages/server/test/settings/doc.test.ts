import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { settingsHelp } from '../../src/config.js';
import { refreshSettingsTables, settingsInTables } from '../../src/settings/markdown.js';
import { SETTING_NAMES, SETTINGS } from '../../src/settings/settings.js';

const docPath = fileURLToPath(new URL('../../../../docs/operations.md', import.meta.url));
const doc = readFileSync(docPath, 'utf8');

describe('docs/operations.md', () => {
  it('lists every setting, each in one table', () => {
    expect(settingsInTables(doc).sort()).toEqual([...SETTING_NAMES].sort());
  });

  // After a change to the settings, `npx vitest run packages/server/test/settings/doc.test.ts -u`
  // writes the tables afresh (the prose around them stays as it is).
  it('shows each setting as its descriptor says: flag, variable, default and help', async () => {
    await expect(refreshSettingsTables(doc)).toMatchFileSnapshot(docPath);
  });
});

describe('longrun serve --help', () => {
  it('lists every flag with its variable', () => {
    const help = settingsHelp();
    for (const name of SETTING_NAMES) {
      const { flag, env } = SETTINGS[name];
      expect(help).toMatch(new RegExp(`^  --${flag}\\b[^\\n]*\\n {33}env ${env}$`, 'm'));
    }
  });
});
