import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';
import { INPUT_FORMATS } from './input-formats.js';

/**
 * The Ajv that input schemas are compiled with: strict (an unknown keyword is
 * an error, not a silent no-op), defaults filled in at submit, the formats of
 * ajv-formats and {@link INPUT_FORMATS}. The registry and defineProcessor make
 * theirs here, so a schema that defineProcessor takes the registry takes too.
 *
 * `pattern` and `patternProperties` run on RE2 (linear time): a schema's
 * pattern meets every caller's input, and one such as `^(a+)+$` on a
 * backtracking engine would hold the event loop for seconds on 30 characters.
 * RE2 has no lookaround or backreferences; a schema using them does not compile.
 */
export function inputSchemaAjv(): Ajv {
  const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: true, code: { regExp: re2 } });
  addFormats.default(ajv);
  for (const [name, { test }] of Object.entries(INPUT_FORMATS)) ajv.addFormat(name, test);
  return ajv;
}

/** Ajv's regular-expression engine (flags `u`, which RE2 always is). */
function re2(pattern: string): { test: (s: string) => boolean } {
  return RE2JS.compile(pattern);
}
re2.code = 'RE2JS.compile';

let checker: Ajv | null = null;

/** Why `schema` cannot be a job type's input schema, or null when it can. */
export function inputSchemaProblem(schema: unknown): string | null {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
    return 'inputSchema must be a JSON Schema object';
  if ((schema as { type?: unknown }).type !== 'object')
    return 'inputSchema must describe an object (type: "object"): a job\'s input is a JSON object';
  checker ??= inputSchemaAjv();
  try {
    checker.compile(schema);
  } catch (err) {
    return `inputSchema is not a valid JSON Schema: ${(err as Error).message}`;
  } finally {
    // Compiled only to be checked: the registry compiles its own copy.
    checker.removeSchema(schema as object);
  }
  return null;
}
