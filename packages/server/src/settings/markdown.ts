import { defaultOf } from './help.js';
import { SETTING_NAMES, SETTINGS, type Setting, type SettingName } from './settings.js';

/** Text as one table cell: `|` would end the cell and `<` could open an HTML tag. */
function cell(text: string): string {
  return text.replace(/[|<]/g, (c) => `\\${c}`);
}

/** A Markdown table of these settings (flag, variable, default, what), its columns lined up. */
export function settingsTable(names: readonly SettingName[]): string {
  const rows = names.map((name) => {
    const s: Setting<unknown> = SETTINGS[name];
    const d = defaultOf(name);
    const off = s.kind === 'boolean' ? 'off' : 'unset';
    const dflt = d === null ? off : 'written' in d ? `\`${d.written}\`` : cell(d.derived);
    return [`\`--${s.flag}\``, `\`${s.env}\``, dflt, cell(s.help)];
  });
  const head = ['flag', 'variable', 'default', 'what'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A document's settings tables, each between `<!-- settings: --flag … -->`
 * and `<!-- /settings -->`, naming the settings it lists.
 */
const BLOCK = /(<!-- settings:([^>]*)-->\n)[\s\S]*?(<!-- \/settings -->)/g;

function namesOf(flags: string): SettingName[] {
  return flags
    .trim()
    .split(/\s+/)
    .map((flag) => {
      const name = SETTING_NAMES.find((n) => `--${SETTINGS[n].flag}` === flag);
      if (!name) throw new Error(`no setting has the flag ${flag}`);
      return name;
    });
}

/** The document with each settings table written afresh from the settings. */
export function refreshSettingsTables(doc: string): string {
  return doc.replace(BLOCK, (_, open: string, flags: string, close: string) =>
    // Blank lines around the table, so that no renderer takes a comment for part of it.
    [open, '\n', settingsTable(namesOf(flags)), '\n\n', close].join(''),
  );
}

/** The settings that the document's tables list, in order (a setting listed twice, twice). */
export function settingsInTables(doc: string): SettingName[] {
  return [...doc.matchAll(BLOCK)].flatMap((m) => namesOf(m[2]!));
}
