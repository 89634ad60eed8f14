import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { ConfigError } from './settings/config-error.js';
import {
  DERIVED,
  hasKeys,
  SETTING_NAMES,
  SETTINGS,
  type Setting,
  type SettingName,
  type Settings,
} from './settings/settings.js';
import { translationBackend } from './settings/translation.js';

export { ConfigError } from './settings/config-error.js';
export { settingsHelp } from './settings/help.js';
export { parseDuration } from './settings/parsers.js';
export { SETTINGS } from './settings/settings.js';

/** Every setting of a longrun server, validated: one field per entry of {@link SETTINGS}. */
export type Config = {
  [K in SettingName]: K extends keyof typeof DERIVED ? NonNullable<Settings[K]> : Settings[K];
};

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Read settings from flags and environment (flags win), check every value,
 * and return one typed Config. Throws {@link ConfigError} with a message that
 * names the flag or variable and what is accepted.
 */
export function loadConfig({
  argv = [],
  env = process.env,
  cwd = process.cwd(),
}: {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
} = {}): Config {
  const descriptor = (name: SettingName): Setting<unknown> => SETTINGS[name];
  const options = Object.fromEntries(
    SETTING_NAMES.map(
      (name) =>
        [
          descriptor(name).flag,
          { type: descriptor(name).kind ?? 'string', multiple: descriptor(name).repeatable === true },
        ] as const,
    ),
  );
  let flags: Record<string, string | boolean | undefined>;
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    // A repeated flag reads as if its values were given once, comma-separated.
    flags = Object.fromEntries(
      Object.entries(values).map(([flag, v]) => [flag, Array.isArray(v) ? v.join(',') : v]),
    );
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run with --help to see the flags.`);
  }
  // The flag, else the variable unless empty, else the default (which is read as if given as the flag).
  const read = (name: SettingName): unknown => {
    const s = descriptor(name);
    const flag = flags[s.flag];
    const fromEnv = env[s.env];
    if (flag === undefined && fromEnv !== undefined && fromEnv !== '')
      return s.parse(fromEnv, { source: s.env, cwd });
    return s.parse(flag === undefined ? s.default : String(flag), { source: `--${s.flag}`, cwd });
  };

  const settings = {} as Record<SettingName, unknown>;
  for (const name of SETTING_NAMES) {
    const { onlyWith } = descriptor(name);
    const unused = onlyWith !== undefined && settings[onlyWith as SettingName] === null;
    settings[name] = unused ? null : read(name);
  }
  for (const name of Object.keys(DERIVED) as (keyof typeof DERIVED)[]) {
    if (settings[name] !== null) continue;
    const s = descriptor(name);
    settings[name] = s.parse(DERIVED[name].value(settings as Settings), { source: `--${s.flag}`, cwd });
  }
  const config = settings as Config;
  if (!isLoopback(config.host) && !hasKeys(config) && !config.insecure) {
    throw new ConfigError(
      `Refusing to listen on ${config.host} without API keys: anyone who can reach it could run jobs. ` +
        'Set --api-keys (LONGRUN_API_KEYS) or --api-keys-file, or pass --insecure if the network is trusted.',
    );
  }
  // Checked here so that a server missing a backend's URL or model does not start.
  translationBackend(config);
  return config;
}

/** What a server started with no flags and no variables gets: the values every default comes from. */
export function defaultConfig(cwd = process.cwd()): Config {
  return loadConfig({ argv: [], env: {}, cwd });
}
