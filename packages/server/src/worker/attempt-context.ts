import { type Job, type JsonObject, publicJob, type StoredJob } from '../jobs/model.js';
import type { ArtifactSink, InputFiles, ProcessorContext } from '../processors/processor.js';

/** The parts of a {@link ProcessorContext} the worker pool makes for each attempt. */
export type AttemptParts = Pick<
  ProcessorContext<JsonObject>,
  'progress' | 'log' | 'setEta' | 'tempDir' | 'artifacts' | 'files'
>;

/**
 * What a processor is handed for one attempt. A class rather than an object
 * literal: V8 builds a literal with getters property by property into a
 * dictionary (about 0.8 µs, and every read of it slow), a class instance in
 * about 0.05 µs. Its functions are the instance's own, so a processor may
 * take them out of it (`const { progress } = ctx`).
 */
export class AttemptContext implements ProcessorContext<JsonObject> {
  readonly input: JsonObject;
  readonly progress: ProcessorContext['progress'];
  readonly log: ProcessorContext['log'];
  readonly setEta: ProcessorContext['setEta'];
  readonly tempDir: ProcessorContext['tempDir'];
  readonly artifacts: ArtifactSink;
  readonly files: InputFiles;
  readonly #job: StoredJob;
  readonly #stop: { readonly signal: AbortSignal };
  #shown: Job | undefined;

  constructor(job: StoredJob, stop: { readonly signal: AbortSignal }, parts: AttemptParts) {
    this.#job = job;
    this.#stop = stop;
    this.input = job.input;
    this.progress = parts.progress;
    this.log = parts.log;
    this.setEta = parts.setEta;
    this.tempDir = parts.tempDir;
    this.artifacts = parts.artifacts;
    this.files = parts.files;
  }

  /**
   * The job as the API shows it, made when the processor first reads it:
   * copying out its public fields costs a few µs, which processors that never
   * look would pay on every attempt.
   */
  get job(): Job {
    this.#shown ??= publicJob(this.#job);
    return this.#shown;
  }

  /** Made on first read (see AttemptStop). */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }
}
