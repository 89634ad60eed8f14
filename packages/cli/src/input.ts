import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/**
 * A job's input from `--input JSON`, `--input @file.json` (`@-` for stdin) and
 * `key=value` words; the words win over `--input`. A value that reads as JSON
 * (`5`, `true`, `null`, `[1,2]`, `{"a":1}`, `"quoted"`) is taken as such, any
 * other value as a string, so `text=hello` needs no quotes. `key=@path` names
 * a file to upload (see {@link fileFields}); `key=@@text` is the string `@text`.
 */
export function parseInput(
  inputOption: string | undefined,
  pairs: readonly string[],
): Record<string, unknown> {
  const input: Record<string, unknown> = inputOption === undefined ? {} : readInputOption(inputOption);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected key=value, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    input[pair.slice(0, eq)] = raw.startsWith('@@')
      ? raw.slice(1)
      : raw.startsWith('@')
        ? raw
        : parseValue(raw);
  }
  return input;
}

/** The `key=@path` words: input fields whose value is a file to upload first, by its id. */
export function fileFields(pairs: readonly string[]): { key: string; path: string }[] {
  const fields = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (raw.startsWith('@') && !raw.startsWith('@@')) {
      if (raw.length === 1)
        throw new UsageError(`${key}=@ needs a file path after the @, like ${key}=@photo.jpg`);
      fields.set(key, raw.slice(1));
    } else fields.delete(key);
  }
  return [...fields].map(([key, path]) => ({ key, path }));
}

function readInputOption(value: string): Record<string, unknown> {
  let text = value;
  let from = '--input';
  if (value.startsWith('@')) {
    const path = value.slice(1);
    from = path === '-' ? 'standard input' : path;
    try {
      text = readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${from}: ${(err as Error).message}`, { cause: err });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${from} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${from} must be a JSON object, like {"duration_seconds": 5}`);
  return parsed as Record<string, unknown>;
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // Not JSON: a bare word is a string.
    return raw;
  }
}
