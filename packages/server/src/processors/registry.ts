import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonObject } from '../jobs/model.js';
import { INPUT_FORMATS, type InputFormat } from './input-formats.js';
import { inputSchemaAjv } from './input-schema.js';
import type { Availability, PrepareContext, Processor } from './processor.js';
import { isJobTypeName, JOB_TYPE_RULE } from './type-name.js';

interface Entry {
  processor: Processor<JsonObject>;
  validate: ValidateFunction;
  /** Declared by remote workers (docs/workers.md): run by them, never in this process. */
  remote: { declaredAt: number } | null;
}

/** A job type that remote workers declared, as the registry takes it. */
export interface RemoteTypeDef {
  type: string;
  description: string;
  inputSchema: JsonObject;
  queue: string;
  declaredAt: number;
}

export type InputCheck = { ok: true; input: JsonObject } | { ok: false; message: string; details: unknown };

/**
 * The job types this server runs. Each input is validated against its type's
 * JSON Schema at submit, with the schema's defaults filled in, so the stored
 * input is the full one the processor will see.
 */
export class ProcessorRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #ajv = inputSchemaAjv();
  readonly #availability = new Map<string, Availability>();

  /** Throws when the type's name breaks {@link JOB_TYPE_RULE}, is taken, or its schema does not compile. */
  register<I>(processor: Processor<I>): this {
    if (!isJobTypeName(processor.type))
      throw new Error(`job type "${processor.type}" is not a usable name; use ${JOB_TYPE_RULE}`);
    if (this.#entries.has(processor.type)) throw new Error(`job type ${processor.type} is registered twice`);
    this.#entries.set(processor.type, {
      processor: processor as unknown as Processor<JsonObject>,
      validate: this.#ajv.compile(processor.inputSchema),
      remote: null,
    });
    return this;
  }

  /**
   * Add a type that remote workers serve, or replace its earlier declaration
   * (the latest schema wins). Throws when the name is one of this server's
   * own types or breaks {@link JOB_TYPE_RULE}, or the schema does not compile;
   * then nothing changes.
   */
  declareRemote(def: RemoteTypeDef): void {
    if (!isJobTypeName(def.type))
      throw new Error(`job type "${def.type}" is not a usable name; use ${JOB_TYPE_RULE}`);
    const known = this.#entries.get(def.type);
    if (known && !known.remote) throw new Error(`job type ${def.type} is one of this server's own`);
    if (known?.remote && known.remote.declaredAt >= def.declaredAt) return;
    // A schema with an $id stays in Ajv's cache: the earlier one goes first, or the new one would clash.
    if (known) this.#ajv.removeSchema(known.processor.inputSchema);
    const validate = this.#ajv.compile(def.inputSchema);
    const { type, description, inputSchema, queue } = def;
    this.#entries.set(type, {
      processor: {
        type,
        description,
        inputSchema,
        queue,
        work: 'waiting',
        // The pool never claims a remote type's queue: this only guards against a wrong claim.
        run: () => Promise.reject(new Error(`${type} jobs are run by remote workers, not in this process`)),
      },
      validate,
      remote: { declaredAt: def.declaredAt },
    });
  }

  /** Whether remote workers serve `type` (docs/workers.md). */
  isRemote(type: string): boolean {
    return this.#entries.get(type)?.remote != null;
  }

  get(type: string): Processor<JsonObject> | undefined {
    return this.#entries.get(type)?.processor;
  }

  has(type: string): boolean {
    return this.#entries.has(type);
  }

  get types(): string[] {
    return [...this.#entries.keys()];
  }

  get processors(): Processor<JsonObject>[] {
    return [...this.#entries.values()].map((e) => e.processor);
  }

  /** Validate and normalise an input; a failure names the field at fault. */
  checkInput(type: string, input: unknown, prepare: PrepareContext): InputCheck {
    const entry = this.#entries.get(type);
    if (!entry) throw new Error(`unknown job type ${type}`);
    const copy = copyContainers(input ?? {});
    if (!entry.validate(copy)) {
      const errors = entry.validate.errors ?? [];
      return { ok: false, message: describe(errors[0]), details: errors.map(describe) };
    }
    const normalised = entry.processor.prepare ? entry.processor.prepare(copy as JsonObject, prepare) : copy;
    return { ok: true, input: normalised as JsonObject };
  }

  /** Ask each processor whether its tools are present; remembered for /readyz and /v1/types. */
  async refreshAvailability(): Promise<Map<string, Availability>> {
    for (const { processor, remote } of this.#entries.values()) {
      // A remote type is available while a live worker serves it, which the workers' routes know.
      if (remote) continue;
      this.#availability.set(processor.type, processor.check ? await processor.check() : { available: true });
    }
    return this.#availability;
  }

  availability(type: string): Availability {
    return this.#availability.get(type) ?? { available: true };
  }
}

/**
 * A copy of a JSON value's objects and arrays, sharing its strings: what
 * validation fills in (defaults) lands in the copy, not in the caller's value,
 * and a megabyte string (a data: URL) is not copied, as structuredClone would.
 */
function copyContainers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyContainers);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines each key, "__proto__" included, as an own property.
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, copyContainers(v)]));
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'input is invalid';
  const path = `input${error.instancePath.replace(/\/([^/]*)/g, (_, key: string) => (/^\d+$/.test(key) ? `[${key}]` : `.${key.replace(/~1/g, '/').replace(/~0/g, '~')}`))}`;
  switch (error.keyword) {
    case 'required':
      return `${path}.${(error.params as { missingProperty: string }).missingProperty} is required`;
    case 'additionalProperties':
      return `${path}.${(error.params as { additionalProperty: string }).additionalProperty} is not a known field`;
    case 'type':
      return `${path} must be ${(error.params as { type: string }).type === 'object' ? 'an object' : `a ${(error.params as { type: string }).type}`}`;
    case 'format': {
      const format = (error.params as { format: string }).format;
      if (Object.hasOwn(INPUT_FORMATS, format))
        return `${path} ${INPUT_FORMATS[format as InputFormat].message}`;
      return `${path} ${error.message ?? 'is invalid'}`;
    }
    default:
      return `${path} ${error.message ?? 'is invalid'}`;
  }
}
