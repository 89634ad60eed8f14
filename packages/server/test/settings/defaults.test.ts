import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Config, defaultConfig } from '../../src/config.js';
import { SETTING_NAMES, SETTINGS } from '../../src/settings/settings.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
/** The one file where defaults are written. */
const DESCRIPTORS = join(SRC, 'settings', 'settings.ts');

interface Source {
  file: string;
  text: string;
}

/** A number as code writes it (`30000`, `30_000`, `30 * 1000`), or a quoted string. */
const VALUE = String.raw`(\d[\d_]*(?:\.\d+)?(?:\s*\*\s*\d[\d_]*(?:\.\d+)?)*|'[^']*'|"[^"]*"|\`[^\`]*\`)`;
/** A name given a value (`leaseMs = …`, `LEASE_MS = …`, `leaseMs: …`), not a type (`'full' | 'normal'`). */
const ASSIGNED = new RegExp(String.raw`([A-Za-z_$][\w$]*)\s*([=:])(?!=)\s*${VALUE}(?!\s*\|)`, 'g');
/** A TSDoc default, which names its field on one of the next lines. */
const DOC_DEFAULT = new RegExp(String.raw`@default\s+${VALUE}`, 'g');

function literalValue(literal: string): number | string {
  if (/^['"`]/.test(literal)) return literal.slice(1, -1);
  return literal
    .split('*')
    .map((n) => Number(n.trim().replace(/_/g, '')))
    .reduce((a, b) => a * b, 1);
}

/** The word a setting's field is known by: the last of its name, without `Ms` (`leaseMs`: lease). */
function wordOf(name: string): string {
  return name
    .replace(/Ms$/, '')
    .split(/(?=[A-Z])/)
    .at(-1)!
    .toLowerCase();
}

interface Scalar {
  name: string;
  word: string;
  /** No other setting is known by its word. */
  distinct: boolean;
  /** The default, and the default as a user writes it. */
  values: (number | string)[];
}

/** Settings whose default is one number or one word. */
function scalarDefaults(config: Config): Scalar[] {
  const words = SETTING_NAMES.map(wordOf);
  return SETTING_NAMES.flatMap((name) => {
    const value = config[name];
    const written = SETTINGS[name].default;
    if (written === '' || (typeof value !== 'number' && typeof value !== 'string')) return [];
    const word = wordOf(name);
    return [{ name, word, distinct: words.filter((w) => w === word).length === 1, values: [value, written] }];
  });
}

/** The retry schedule's first delays in a row, in ms or as written, with spaces and `_` dropped. */
function scheduleSpellings(config: Config): string[] {
  const first = config.webhookRetryScheduleMs.slice(0, 3);
  const written = SETTINGS.webhookRetryScheduleMs.default.split(',').slice(0, 3);
  return [
    first.join(','),
    written.join(','),
    written.map((d) => d.replace(/m$/, 'min')).join(','),
    first.map((ms) => `${ms / 1000}*1000`).join(','),
  ];
}

/**
 * Every place outside the descriptors where a setting's default is written
 * again: given as a default or a constant to a name that carries the setting's
 * word (`leaseMs = 30_000`), named in a TSDoc `@default`, or, when the word
 * names that setting alone, as a property (`leaseMs: 30_000`; a `timeoutMs:
 * 15_000` may be any timeout).
 */
function duplicatedDefaults(sources: Source[], config: Config): string[] {
  const scalars = scalarDefaults(config);
  const schedule = scheduleSpellings(config);
  const hits: string[] = [];
  for (const { file, text } of sources) {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const at = `${file}:${i + 1}: ${line.trim()}`;
      for (const m of line.matchAll(ASSIGNED)) {
        const value = literalValue(m[3]!);
        for (const s of scalars) {
          const carries = m[1]!.toLowerCase().includes(s.word) && (m[2] === '=' || s.distinct);
          if (carries && s.values.includes(value)) hits.push(`${s.name} ${at}`);
        }
      }
      const named = lines
        .slice(i, i + 3)
        .join(' ')
        .toLowerCase();
      for (const m of line.matchAll(DOC_DEFAULT)) {
        const value = literalValue(m[1]!);
        for (const s of scalars) {
          if (named.includes(s.word) && s.values.includes(value)) hits.push(`${s.name} ${at}`);
        }
      }
    });
    const flat = text.replace(/[\s_]/g, '');
    for (const spelling of schedule) {
      if (flat.includes(spelling)) hits.push(`webhookRetryScheduleMs ${file}: ${spelling}`);
    }
  }
  return hits;
}

function sourceTree(dir: string): Source[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && join(dir, file) !== DESCRIPTORS)
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

describe('setting defaults', () => {
  const config = defaultConfig();

  it('are found when written again: in a constructor, a constant, a TSDoc or a list', () => {
    const sample = (text: string) => duplicatedDefaults([{ file: 'sample.ts', text }], config);
    expect(sample('  constructor({ leaseMs = 30_000 }: Options) {')).toHaveLength(1);
    expect(sample('const DEFAULT_LEASE_MS = 30 * 1000;')).toHaveLength(1);
    expect(sample("const lease = '30s';")).toHaveLength(1);
    expect(sample('  /** How long a claim holds a job. @default 30000 */\n  leaseMs?: number;')).toHaveLength(
      1,
    );
    expect(sample('schedule = [\n  5_000, 300_000, 1_800_000,\n]')).toHaveLength(1);
    expect(sample("const retries = '5s,5m,30m,2h';")).toHaveLength(1);
    expect(sample('/** @default 5 s, 5 min, 30 min, 2 h */')).toHaveLength(1);
    expect(sample('  constructor({ timeoutMs = 15_000, pollIntervalMs = 1000 }) {')).toHaveLength(2);
    expect(sample('  constructor({ simulateErrorRate = 0.2, defaultMaxAttempts = 3 }) {')).toHaveLength(2);
    // The same number for another purpose is no repetition.
    expect(sample('connectionsCheckingInterval: Math.min(30_000, config.requestTimeoutMs / 4),')).toEqual([]);
    expect(sample('const leaseMs = config.leaseMs;')).toEqual([]);
    expect(sample("runTool(path, ['--version'], { timeoutMs: 15_000 });")).toEqual([]);
    expect(sample("  synchronous: 'full' | 'normal';")).toEqual([]);
    expect(sample('new WorkerPool({ service, leaseMs: 30_000 });')).toHaveLength(1);
  });

  it('are written once in packages/server/src: in the descriptors', () => {
    const sources = sourceTree(SRC);
    expect(sources.map((s) => s.file)).toContain(join('worker', 'pool.ts'));
    expect(duplicatedDefaults(sources, config)).toEqual([]);
  });
});
