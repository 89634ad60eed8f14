import { ApiError } from '../errors.js';
import type { ProcessorRegistry } from '../processors/registry.js';
import type { QueueKind, QueueSpec } from '../settings/parsers.js';

export type { QueueKind } from '../settings/parsers.js';

/** The queue of a processor that names none, and the work it is taken to do. */
export const DEFAULT_QUEUE = 'default';
export const DEFAULT_WORK: QueueKind = 'cpu';

/** A named queue: which jobs wait in it and how many of them run at once. */
export interface QueueDef {
  name: string;
  kind: QueueKind;
  /** Jobs of this queue run at once by one worker process. */
  concurrency: number;
  /** Jobs of this queue running at once across every process; null is no limit. */
  globalLimit: number | null;
  /** Jobs of one tenant running at once in this queue, across every process; null is no limit. */
  tenantLimit: number | null;
  /** The job types whose default queue this is. */
  types: string[];
  /** Served by remote workers (docs/workers.md): it holds remote types only, and this process never claims from it. */
  remote: boolean;
}

export interface QueueSettings {
  /** Per-process concurrency of CPU-bound queues (the machine's cores by default). */
  cpuConcurrency: number;
  /** Per-process concurrency of waiting queues. */
  waitConcurrency: number;
  /** `--queues`: limits for named queues, and queues of their own. */
  specs: readonly QueueSpec[];
  /** `--tenant-concurrency`: 0 is no limit. */
  tenantConcurrency: number;
}

/**
 * The queues of a server: one per queue a job type names (with the kind of
 * work its types do), plus those `--queues` adds. A job runs in its type's
 * queue, or in another queue of the same kind that the caller names: a
 * CPU-bound ffmpeg job never lands among 500 waiting slots.
 */
export class Queues {
  readonly #byName = new Map<string, QueueDef>();
  readonly #ofType = new Map<string, string>();
  readonly #registry: ProcessorRegistry;
  readonly #settings: QueueSettings;

  private constructor(registry: ProcessorRegistry, settings: QueueSettings) {
    this.#registry = registry;
    this.#settings = settings;
  }

  /** Throws an Error naming the conflict (a queue of two kinds, a new queue with no kind). */
  static build(registry: ProcessorRegistry, settings: QueueSettings): Queues {
    const queues = new Queues(registry, settings);
    for (const processor of registry.processors) queues.#place(processor.type);
    for (const spec of settings.specs) {
      const known = queues.#byName.get(spec.name);
      if (known && spec.kind !== null && spec.kind !== known.kind) {
        throw new Error(`--queues: ${spec.name} is a ${known.kind} queue, not ${spec.kind}`);
      }
      if (!known && spec.kind === null) {
        throw new Error(
          `--queues: ${spec.name} is a new queue; say what work it does: ${spec.name}:cpu=… or ${spec.name}:waiting=…`,
        );
      }
      queues.#byName.set(spec.name, {
        name: spec.name,
        kind: known?.kind ?? (spec.kind as QueueKind),
        concurrency: spec.concurrency,
        globalLimit: spec.globalLimit,
        tenantLimit: queues.#tenantLimit,
        types: known?.types ?? [],
        remote: false,
      });
    }
    return queues;
  }

  get #tenantLimit(): number | null {
    return this.#settings.tenantConcurrency === 0 ? null : this.#settings.tenantConcurrency;
  }

  /**
   * Why a remote type may not run in `queue`, or null when it may: a queue
   * holds either this server's own types or remote ones, and a type keeps
   * the queue it was first declared with (its queued jobs wait there).
   */
  remoteQueueProblem(type: string, queue: string): string | null {
    const current = this.#ofType.get(type);
    if (current !== undefined && current !== queue)
      return `job type ${type} runs in queue "${current}"; a declaration cannot move it to "${queue}"`;
    const known = this.#byName.get(queue);
    if (known && !known.remote)
      return `queue "${queue}" runs this server's own job types; give ${type} a queue of its own`;
    return null;
  }

  /** Put a registered type in the queue it names, making that queue when it is new. */
  place(type: string): QueueDef {
    const known = this.#ofType.get(type);
    return known === undefined ? this.#place(type) : this.#byName.get(known)!;
  }

  #place(type: string): QueueDef {
    const processor = this.#registry.get(type);
    if (!processor) throw new Error(`unknown job type ${type}`);
    const remote = this.#registry.isRemote(type);
    const name = processor.queue ?? DEFAULT_QUEUE;
    const kind = processor.work ?? DEFAULT_WORK;
    const known = this.#byName.get(name);
    if (known && known.remote !== remote) {
      throw new Error(`queue ${name}: ${this.remoteQueueProblem(type, name)}`);
    }
    if (known && known.kind !== kind) {
      throw new Error(
        `queue ${name}: job type ${type} does ${kind} work, but ${known.types.join(', ')} ${known.kind} work`,
      );
    }
    this.#ofType.set(type, name);
    if (known) {
      if (!known.types.includes(type)) known.types.push(type);
      return known;
    }
    const queue: QueueDef = {
      name,
      kind,
      // A remote queue's jobs run as many at once as its workers ask for.
      concurrency: remote
        ? 0
        : kind === 'cpu'
          ? this.#settings.cpuConcurrency
          : this.#settings.waitConcurrency,
      globalLimit: null,
      tenantLimit: this.#tenantLimit,
      types: [type],
      remote,
    };
    this.#byName.set(name, queue);
    return queue;
  }

  get(name: string): QueueDef | undefined {
    return this.#byName.get(name);
  }

  get all(): QueueDef[] {
    return [...this.#byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The queue a new job of `type` goes in: the caller's choice when it may, else the type's own. */
  queueFor(type: string, requested: string | undefined): QueueDef {
    // A type registered after the server started gets its queue now.
    const own = this.place(type);
    if (requested === undefined || requested === own.name) return own;
    const queue = this.#byName.get(requested);
    if (!queue) {
      throw new ApiError('unknown_queue', {
        message: `No queue "${requested}"; queues: ${[...this.#byName.keys()].join(', ')}.`,
      });
    }
    if (queue.remote || own.remote) {
      throw new ApiError('queue_not_allowed', {
        message: `Queue "${requested}" holds other job types than ${type}: a remote type's jobs run in its own queue, and no other type's run there.`,
      });
    }
    if (queue.kind !== own.kind) {
      throw new ApiError('queue_not_allowed', {
        message: `Queue "${requested}" runs ${queue.kind} work; ${type} jobs do ${own.kind} work and run in ${own.kind} queues only.`,
      });
    }
    return queue;
  }
}
