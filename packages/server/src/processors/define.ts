import type { Static, TSchema } from '@sinclair/typebox';
import type { JsonObject } from '../jobs/model.js';
import { QUEUE_NAME } from '../settings/parsers.js';
import { inputSchemaProblem } from './input-schema.js';
import type { Processor } from './processor.js';
import { isJobTypeName, JOB_TYPE_RULE } from './type-name.js';

/**
 * Marks what defineProcessor made. A registered symbol rather than a class:
 * a module that resolves its own copy of @longrun/server still makes
 * processors this server recognises.
 */
export const DEFINED_PROCESSOR: unique symbol = Symbol.for('longrun.processor');

/** A processor that defineProcessor checked: what a `--processors` module exports. */
export type DefinedProcessor<I = JsonObject> = Processor<I> & { readonly [DEFINED_PROCESSOR]: true };

const FIELDS: ReadonlySet<string> = new Set([
  'type',
  'description',
  'inputSchema',
  'queue',
  'work',
  'fileInputs',
  'prepare',
  'timeoutMs',
  'check',
  'run',
]);

/**
 * A job type of your own, with the contract the built-in types have
 * ({@link Processor}): `run(ctx)` gets the same {@link ProcessorContext}.
 * The definition is checked here, so a mistake stops the module at its
 * import, with the reason: a type name breaking {@link JOB_TYPE_RULE}, an
 * input schema the server's Ajv (strict) cannot compile or that does not
 * describe an object, no `run`, an unknown field.
 *
 * `ctx.input` is typed from a TypeBox `inputSchema` (`Type.Object(...)`), or
 * from the type argument: `defineProcessor<{ text: string }>({ ... })`.
 */
export function defineProcessor<S extends TSchema>(
  definition: Processor<Static<S>> & { inputSchema: S },
): DefinedProcessor<Static<S>>;
export function defineProcessor<I = JsonObject>(definition: Processor<I>): DefinedProcessor<I>;
export function defineProcessor(definition: Processor<unknown>): DefinedProcessor<unknown> {
  const problem = definitionProblem(definition);
  if (problem !== null) {
    const type = (definition as { type?: unknown } | null)?.type;
    throw new TypeError(`defineProcessor(${typeof type === 'string' ? type : '?'}): ${problem}`);
  }
  return Object.freeze({ ...definition, [DEFINED_PROCESSOR]: true as const });
}

/** Whether `value` is a processor defineProcessor made (in any copy of @longrun/server). */
export function isDefinedProcessor(value: unknown): value is DefinedProcessor {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [DEFINED_PROCESSOR]?: unknown })[DEFINED_PROCESSOR] === true
  );
}

function definitionProblem(d: unknown): string | null {
  if (d === null || typeof d !== 'object' || Array.isArray(d))
    return 'pass one object: { type, description, inputSchema, run, ... }';
  const def = d as Record<string, unknown>;
  const unknown = Object.keys(def).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return `"${unknown}" is not a field; use ${[...FIELDS].join(', ')}`;
  if (!isJobTypeName(def.type)) return `type must be a job type name: ${JOB_TYPE_RULE}`;
  if (typeof def.description !== 'string' || def.description.trim() === '')
    return 'description must be a sentence saying what the type does (GET /v1/types shows it)';
  const schema = inputSchemaProblem(def.inputSchema);
  if (schema !== null) return schema;
  if (typeof def.run !== 'function') return 'run must be a function: async (ctx) => output';
  if (def.queue !== undefined && (typeof def.queue !== 'string' || !QUEUE_NAME.test(def.queue)))
    return 'queue must be a queue name: 1-63 of a-z, 0-9, . _ - starting with a letter or digit';
  if (def.work !== undefined && def.work !== 'cpu' && def.work !== 'waiting')
    return 'work must be "cpu" (bounded by cores) or "waiting" (waits on something else, hundreds at once)';
  if (
    def.fileInputs !== undefined &&
    !(Array.isArray(def.fileInputs) && def.fileInputs.every((f) => typeof f === 'string'))
  )
    return 'fileInputs must be an array of input field names';
  for (const hook of ['prepare', 'timeoutMs', 'check'] as const) {
    if (def[hook] !== undefined && typeof def[hook] !== 'function') return `${hook} must be a function`;
  }
  return null;
}
