import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/**
 * A job's input from `--input JSON`, `--input @file.json` (`@-` for stdin) and
 * `key=value` words; the words win over `--input`. A value that reads as JSON
 * (`5`, `true`, `null`, `[1,2]`, `{"a":1}`, `"quoted"`) is taken as such, any
 * other value as a string, so `text=hello` needs no quotes.
 */
export function parseInput(
  inputOption: string | undefined,
  pairs: readonly string[],
): Record<string, unknown> {
  const input: Record<string, unknown> = inputOption === undefined ? {} : readInputOption(inputOption);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected key=value, got "${pair}"`);
    input[pair.slice(0, eq)] = parseValue(pair.slice(eq + 1));
  }
  return input;
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
