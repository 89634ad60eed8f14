import type { JobContext, JsonObject } from './context.js';

/** A job type's name: dot-separated words of a-z, 0-9, _ and -, each starting with a letter; at most 64. */
const TYPE_NAME = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/;
/** A queue's name (at most 63 characters): the server also holds a remote type's queue to the type-name rule. */
const QUEUE_NAME_MAX = 63;

/**
 * Marks what defineType made. A registered symbol rather than a class, so that
 * a module that resolves its own copy of @longrun/worker still makes types
 * that `longrun worker` recognises.
 */
export const DEFINED_TYPE: unique symbol = Symbol.for('longrun.worker-type');

/** A job type served by this worker. */
export interface TypeDefinition<I = JsonObject, O extends object = JsonObject> {
  /** Its name, such as `acme.upscale`: dot-separated words of a-z, 0-9, _ and -, each starting with a letter. */
  type: string;
  /** What it does, shown by `GET /v1/types`. @default none */
  description?: string | undefined;
  /**
   * The JSON Schema of its input (`{"type": "object", …}`). The server compiles
   * it at registration (422 `invalid_input_schema` when it cannot), validates
   * every submit against it and fills in its defaults, so `ctx.input` is valid.
   */
  inputSchema: JsonObject;
  /** The queue its jobs wait in; one that holds remote types only. @default the type's own name */
  queue?: string | undefined;
  /**
   * Runs one attempt. What it resolves with is the job's output (a JSON object;
   * undefined is `{}`); what it throws fails the attempt (see {@link JobFailure}).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: an async handler that returns nothing is Promise<void>.
  run(ctx: JobContext<I>): Promise<O | undefined | void>;
}

/** A type that defineType checked: what `types` of a Worker, and a `longrun worker` module, hold. */
export type WorkerType<I = JsonObject, O extends object = JsonObject> = Readonly<TypeDefinition<I, O>> & {
  readonly [DEFINED_TYPE]: true;
};

const FIELDS: ReadonlySet<string> = new Set(['type', 'description', 'inputSchema', 'queue', 'run']);

/**
 * A job type for a remote worker. The definition is checked here, so a mistake
 * stops the module when it loads, with the reason. `ctx.input` is typed by the
 * type argument: `defineType<{ url: string }>({ … })`.
 */
export function defineType<I = JsonObject, O extends object = JsonObject>(
  definition: TypeDefinition<I, O>,
): WorkerType<I, O> {
  const problem = definitionProblem(definition);
  if (problem !== null) {
    const type = (definition as { type?: unknown } | null)?.type;
    throw new TypeError(`defineType(${typeof type === 'string' ? type : '?'}): ${problem}`);
  }
  return Object.freeze({ ...definition, [DEFINED_TYPE]: true as const });
}

/** Whether `value` is a type defineType made (in any copy of @longrun/worker). */
export function isWorkerType(value: unknown): value is WorkerType<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [DEFINED_TYPE]?: unknown })[DEFINED_TYPE] === true
  );
}

function definitionProblem(d: unknown): string | null {
  if (d === null || typeof d !== 'object' || Array.isArray(d))
    return 'pass one object: { type, description, inputSchema, run, queue? }';
  const def = d as Record<string, unknown>;
  const unknown = Object.keys(def).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return `"${unknown}" is not a field; use ${[...FIELDS].join(', ')}`;
  if (typeof def.type !== 'string' || def.type.length > 64 || !TYPE_NAME.test(def.type))
    return 'type must be dot-separated words of a-z, 0-9, _ and -, each starting with a letter (e.g. acme.upscale), at most 64 characters';
  if (def.description !== undefined && typeof def.description !== 'string')
    return 'description must be a string (GET /v1/types shows it)';
  const schema = def.inputSchema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
    return 'inputSchema must be a JSON Schema object, such as { type: "object", properties: { … } }';
  if ((schema as JsonObject).type !== 'object')
    return 'inputSchema must describe an object: { type: "object", … } (an input is a JSON object)';
  if (
    def.queue !== undefined &&
    (typeof def.queue !== 'string' || def.queue.length > QUEUE_NAME_MAX || !TYPE_NAME.test(def.queue))
  )
    return 'queue must be named like a type: dot-separated words of a-z, 0-9, _ and -, each starting with a letter, at most 63 characters';
  if (typeof def.run !== 'function') return 'run must be a function: async (ctx) => output';
  return null;
}
