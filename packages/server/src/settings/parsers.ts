import { resolve } from 'node:path';
import { parseSecret } from '../webhooks/signing.js';
import { ConfigError } from './config-error.js';

/** Where a value came from (`--flag` or the variable's name, for messages) and the folder paths are relative to. */
export interface ValueSource {
  source: string;
  cwd: string;
}

/** Turns the text of a flag or variable into a setting's value, or throws a {@link ConfigError} naming the source. */
export type Parser<T> = (value: string, at: ValueSource) => T;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `5m`, `24h`, `7d`; a bare number is seconds. */
export function parseDuration(value: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new ConfigError(`${name}: "${value}" is not a duration; use e.g. 500ms, 30s, 5m, 24h or 7d`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms > 365 * 86_400_000) throw new ConfigError(`${name}: "${value}" is too long`);
  return Math.round(ms);
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * A duration in milliseconds. Below `min` is refused (with `tooShort` as the
 * reason, if given); below `floor` is raised to it without a word.
 */
export function duration({
  min = 0,
  floor = 0,
  tooShort,
}: {
  min?: number;
  floor?: number;
  tooShort?: string;
} = {}): Parser<number> {
  return (value, { source }) => {
    const ms = parseDuration(value, source);
    if (ms < min) throw new ConfigError(`${source}: ${tooShort ?? `use at least ${formatMs(min)}`}`);
    return Math.max(floor, ms);
  };
}

/** A whole number from `min` to `max`. */
export function int(min: number, max: number): Parser<number> {
  return (value, { source }) => {
    if (!/^\d+$/.test(value.trim())) throw new ConfigError(`${source}: "${value}" is not a whole number`);
    const n = Number(value);
    if (n < min || n > max) throw new ConfigError(`${source}: ${n} is out of range; use ${min}..${max}`);
    return n;
  };
}

/** A number from 0 to 1. */
export const rate: Parser<number> = (value, { source }) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new ConfigError(`${source}: "${value}" is not a rate; use a number from 0 to 1`);
  }
  return n;
};

/** Bytes, or kilobytes and megabytes with a `k`/`kb`, `m`/`mb` suffix; 1k to 1024m. */
export const size: Parser<number> = (value, { source }) => {
  const m = /^(\d+)(k|kb|m|mb)?$/i.exec(value.trim());
  if (!m) throw new ConfigError(`${source}: "${value}" is not a size; use bytes, or e.g. 512k or 1m`);
  const unit = (m[2] ?? '').toLowerCase();
  const bytes = Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
  if (bytes < 1024 || bytes > 1024 * 1024 * 1024)
    throw new ConfigError(`${source}: must be between 1k and 1024m`);
  return bytes;
};

/** Like {@link size}, with a `g`/`gb` suffix too: 1k to 1024g (uploaded files). */
export const largeSize: Parser<number> = (value, { source }) => {
  const m = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(value.trim());
  if (!m) throw new ConfigError(`${source}: "${value}" is not a size; use bytes, or e.g. 512m or 2g`);
  const unit = (m[2] ?? '').toLowerCase();
  const scale = unit.startsWith('k')
    ? 1024
    : unit.startsWith('m')
      ? 1024 ** 2
      : unit.startsWith('g')
        ? 1024 ** 3
        : 1;
  const bytes = Number(m[1]) * scale;
  if (bytes < 1024 || bytes > 1024 ** 4) throw new ConfigError(`${source}: must be between 1k and 1024g`);
  return bytes;
};

export const bool: Parser<boolean> = (value, { source }) => {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(`${source}: "${value}" is not true or false`);
};

export const text: Parser<string> = (value) => value;

/** One of a few words; `noun` says what they are (`"boss" is not a role; use api, worker or all`). */
export function oneOf<const V extends readonly string[]>(values: V, noun: string): Parser<V[number]> {
  const choices = `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
  return (value, { source }) => {
    if (!values.includes(value))
      throw new ConfigError(`${source}: "${value}" is not a ${noun}; use ${choices}`);
    return value as V[number];
  };
}

/** Text that matches `pattern`; `otherwise` finishes the sentence that begins with the refused value. */
export function matching(pattern: RegExp, otherwise: string): Parser<string> {
  return (value, { source }) => {
    if (!pattern.test(value)) throw new ConfigError(`${source}: "${value}" ${otherwise}`);
    return value;
  };
}

export const postgresUrl: Parser<string> = (value, { source }) => {
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new ConfigError(`${source}: must start with postgres:// or postgresql://`);
  }
  return value;
};

/** An http or https URL, as written. */
export const httpUrl: Parser<string> = (value, { source }) => {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(`${source}: "${value}" is not a URL; use e.g. http://127.0.0.1:5000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${source}: use an http or https URL, not ${url.protocol}`);
  }
  return value.trim();
};

/** A path, relative to the working folder. */
export const path: Parser<string> = (value, { cwd }) => resolve(cwd, value);

/** A program: a path (relative to the working folder) or a bare command name; blank is unset. */
export const tool: Parser<string | null> = (value, { cwd }) => {
  const v = value.trim();
  if (v === '') return null;
  return /[/\\]/.test(v) ? resolve(cwd, v) : v;
};

/** A `whsec_…` secret that decodes to enough bytes to sign with. */
export const secret: Parser<string> = (value, { source }) => {
  try {
    parseSecret(value);
  } catch (err) {
    throw new ConfigError(`${source}: ${(err as Error).message}`);
  }
  return value;
};

/** A point in time (ISO 8601), in ms since the epoch; `what` says which time is asked for. */
export function instant(what: string): Parser<number> {
  return (value, { source }) => {
    const at = Date.parse(value);
    if (!value || !Number.isFinite(at))
      throw new ConfigError(`${source}: give ${what}, e.g. 2030-01-31T00:00:00Z`);
    return at;
  };
}

/** Comma-separated items, blanks skipped; at most `max` of them (`noun` names them in the message). */
export function list<T>(item: Parser<T>, { max, noun }: { max?: number; noun?: string } = {}): Parser<T[]> {
  return (value, at) => {
    const items = value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .map((v) => item(v, at));
    if (max !== undefined && items.length > max)
      throw new ConfigError(`${at.source}: at most ${max} ${noun}`);
    return items;
  };
}

/**
 * Unset (null) when empty, else `parser`'s value. `blank: true` also takes
 * text of spaces alone for unset.
 */
export function optional<T>(
  parser: Parser<T>,
  { blank = false }: { blank?: boolean } = {},
): Parser<T | null> {
  return (value, at) => ((blank ? value.trim() : value) === '' ? null : parser(value, at));
}

/** How a queue's jobs use the machine: CPU-bound work (ffmpeg), or waiting on something else (a remote backend). */
export type QueueKind = 'cpu' | 'waiting';

/** One entry of `--queues`: a queue's per-process concurrency, its global limit, and its kind when it is a new queue. */
export interface QueueSpec {
  name: string;
  kind: QueueKind | null;
  concurrency: number;
  globalLimit: number | null;
}

export const QUEUE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** `name[:cpu|waiting]=concurrency[/global limit]`, e.g. `translate=500/5` or `bulk:waiting=50`. */
export const queueSpec: Parser<QueueSpec> = (value, { source }) => {
  const m = /^([^:=]+)(?::(cpu|waiting))?=(\d+)(?:\/(\d+))?$/.exec(value);
  if (!m || !QUEUE_NAME.test(m[1]!)) {
    throw new ConfigError(
      `${source}: "${value}" is not a queue; write name[:cpu|waiting]=concurrency[/global limit], ` +
        'e.g. translate=500/5, with a name of a-z 0-9 . _ -',
    );
  }
  const concurrency = Number(m[3]);
  const globalLimit = m[4] === undefined ? null : Number(m[4]);
  if (
    concurrency < 1 ||
    concurrency > 100_000 ||
    (globalLimit !== null && (globalLimit < 1 || globalLimit > 100_000))
  )
    throw new ConfigError(`${source}: "${value}": concurrency and global limit are 1..100000`);
  return { name: m[1]!, kind: (m[2] as QueueKind | undefined) ?? null, concurrency, globalLimit };
};
