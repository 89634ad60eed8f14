import { DERIVED, SETTING_NAMES, SETTINGS, type Setting, type SettingName } from './settings.js';

/** A setting's default as help shows it: the value as written, how it is worked out, or none. */
export function defaultOf(name: SettingName): { written: string } | { derived: string } | null {
  const setting: Setting<unknown> = SETTINGS[name];
  if (name in DERIVED) return { derived: DERIVED[name as keyof typeof DERIVED].text };
  // A switch is off unless given; saying so adds nothing.
  if (setting.default === '' || setting.kind === 'boolean') return null;
  return { written: setting.default };
}

/** The settings for `--help`: each flag, what it does, its default, and its variable. */
export function settingsHelp(): string {
  return SETTING_NAMES.map((name) => {
    const s: Setting<unknown> = SETTINGS[name];
    const flag = `  --${s.flag}${s.kind === 'boolean' ? '' : s.repeatable ? ' <value>…' : ' <value>'}`;
    const d = defaultOf(name);
    const dflt = d === null ? '' : 'written' in d ? ` (default ${d.written})` : ` (default: ${d.derived})`;
    return `${flag.padEnd(32)} ${s.help}${dflt}\n${''.padEnd(33)}env ${s.env}`;
  }).join('\n');
}
