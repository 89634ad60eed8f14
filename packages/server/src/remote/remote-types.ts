import { ApiError } from '../errors.js';
import type { Logger } from '../internal/logger.js';
import type { JsonObject } from '../jobs/model.js';
import { inputSchemaProblem } from '../processors/input-schema.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import { isJobTypeName, JOB_TYPE_RULE } from '../processors/type-name.js';
import type { Queues } from '../queues/queues.js';
import type { JobStore, RemoteType } from '../store/store.js';

/** A type as a worker declares it at registration. */
export interface TypeDeclaration {
  type: string;
  description?: string | undefined;
  input_schema: JsonObject;
  queue?: string | undefined;
}

/** The longest input schema a worker may declare, as JSON text. */
export const MAX_SCHEMA_CHARS = 64 * 1024;
/** The least time between two reads of the declared types for a submit of a type unknown here. */
const LOOKUP_INTERVAL_MS = 500;

/**
 * The job types remote workers declared, kept in the store so that every node
 * knows them and they outlive their workers, and put into this node's
 * registry (validated at submit, listed by /v1/types) and queues. A node
 * reads them at start, every `refreshMs` (a schema declared again on another
 * node reaches this one within that), and at once when a submit names a type
 * it does not know.
 */
export class RemoteTypes {
  readonly #store: JobStore;
  readonly #registry: ProcessorRegistry;
  readonly #queues: Queues;
  readonly #log: Logger;
  readonly #refreshMs: number;
  #lookedUpAt = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor({
    store,
    registry,
    queues,
    logger,
    refreshMs = 5000,
  }: {
    store: JobStore;
    registry: ProcessorRegistry;
    queues: Queues;
    logger: Logger;
    refreshMs?: number;
  }) {
    this.#store = store;
    this.#registry = registry;
    this.#queues = queues;
    this.#log = logger;
    this.#refreshMs = refreshMs;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.#log.warn({ err }, 'reading the job types of remote workers failed'),
      );
    }, this.#refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Read the declared types and take in those that are new or declared again. */
  async refresh(): Promise<void> {
    for (const type of await this.#store.remoteTypes()) {
      try {
        this.apply([type]);
      } catch (err) {
        // Another node took a declaration this node's own types or queues forbid: its settings differ.
        this.#log.error(
          { err, type: type.type },
          'a remote job type conflicts with this node; it is left out here',
        );
      }
    }
  }

  /** A submit names `type`, unknown here: it may have been declared on another node. */
  async lookUp(_type: string): Promise<void> {
    if (Date.now() - this.#lookedUpAt < LOOKUP_INTERVAL_MS) return;
    this.#lookedUpAt = Date.now();
    await this.refresh();
  }

  /**
   * The declarations as the store keeps them, or an {@link ApiError} for the
   * first that cannot be taken; nothing is changed either way.
   */
  check(declarations: readonly TypeDeclaration[], now: number): RemoteType[] {
    const seen = new Set<string>();
    return declarations.map(({ type, description = '', input_schema, queue = type }) => {
      if (!isJobTypeName(type))
        throw new ApiError('invalid_request', {
          message: `Job type "${type}" is not a usable name: ${JOB_TYPE_RULE}.`,
        });
      if (seen.has(type))
        throw new ApiError('invalid_request', { message: `Job type ${type} is declared twice.` });
      seen.add(type);
      if (this.#registry.has(type) && !this.#registry.isRemote(type))
        throw new ApiError('job_type_taken', {
          message: `Job type ${type} is one of this server's own; give the remote type another name.`,
        });
      if (!isJobTypeName(queue))
        throw new ApiError('invalid_request', {
          message: `Queue "${queue}" is not a usable name: ${JOB_TYPE_RULE}.`,
        });
      const queueProblem = this.#queues.remoteQueueProblem(type, queue);
      if (queueProblem) throw new ApiError('queue_not_allowed', { message: `${queueProblem}.` });
      if (JSON.stringify(input_schema).length > MAX_SCHEMA_CHARS)
        throw new ApiError('invalid_input_schema', {
          message: `The input schema of ${type} is longer than ${MAX_SCHEMA_CHARS} characters of JSON.`,
        });
      const schemaProblem = inputSchemaProblem(input_schema);
      if (schemaProblem)
        throw new ApiError('invalid_input_schema', {
          message: `${type}: ${schemaProblem.replace(/^inputSchema/, 'input_schema')}.`,
        });
      return { type, description, inputSchema: input_schema, queue, declaredAt: now };
    });
  }

  /** Put stored declarations in the registry and the queues (a later declaration replaces an earlier one). */
  apply(types: readonly RemoteType[]): void {
    for (const { type, description, inputSchema, queue, declaredAt } of types) {
      const problem = this.#queues.remoteQueueProblem(type, queue);
      if (problem) throw new Error(problem);
      this.#registry.declareRemote({ type, description, inputSchema, queue, declaredAt });
      this.#queues.place(type);
    }
  }
}
