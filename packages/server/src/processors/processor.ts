import type { Job, JsonObject } from '../jobs/model.js';
import type { QueueKind } from '../settings/parsers.js';

/** What a processor sees while it runs one attempt of a job. */
export interface ProcessorContext<I = JsonObject> {
  /** The job as it was when this attempt was claimed. */
  readonly job: Job;
  readonly input: I;
  /** Fires on cancel, timeout, lost lease or shutdown; stop promptly and throw `signal.reason`. */
  readonly signal: AbortSignal;
  /**
   * Report progress (0-100, never lower than before in this attempt), and
   * optionally the stage and a message. Calls are coalesced: at most about ten
   * a second reach the store.
   */
  progress(percent: number, update?: { stage?: string | null; message?: string | null }): void;
  /** Append a line to the job's log. */
  log(line: string): void;
  /** The estimated finish time, shown as `eta` and used for poll hints. */
  setEta(at: Date | null): void;
  /** A private scratch folder for this attempt, removed when the attempt ends. */
  tempDir(): Promise<string>;
  /** The job's artifact folder: files written here can be listed in `output.artifacts`. */
  readonly artifacts: ArtifactSink;
  /** The uploaded files of the job's tenant, read from storage (see `fileInputs`). */
  readonly files: InputFiles;
}

/** An uploaded file a processor reads an input from. */
export interface InputFile {
  path: string;
  content_type: string;
  bytes: number;
}

/** The uploaded files of one job's tenant: never another tenant's. */
export interface InputFiles {
  /** The file of that id, or null when it is gone (deleted, or expired past --file-retention). */
  find(id: string): Promise<InputFile | null>;
}

export interface ArtifactInfo {
  name: string;
  content_type: string;
  size: number;
  url: string;
}

/** Where a processor puts its result files. */
export interface ArtifactSink {
  /** Move a finished file in as `name`, atomically; returns what output.artifacts lists. */
  put(name: string, fromPath: string, contentType: string): Promise<ArtifactInfo>;
}

export interface Availability {
  available: boolean;
  /** Why not, and how to fix it, when unavailable. */
  reason?: string;
}

/** Settings a processor may need when it normalises input at submit. */
export interface PrepareContext {
  simulateErrorRate: number;
}

export interface Processor<I = JsonObject> {
  readonly type: string;
  readonly description: string;
  /** JSON Schema of the input; defaults in it are applied at submit. */
  readonly inputSchema: JsonObject;
  /** The queue its jobs run in unless the caller names another of the same kind. @default 'default' */
  readonly queue?: string;
  /**
   * What its jobs spend their time on: the CPU (`cpu`: ffmpeg, a model), so
   * as many run at once as there are cores; or waiting on something else
   * (`waiting`: a remote backend), so hundreds may. @default 'cpu'
   */
  readonly work?: QueueKind;
  /**
   * Input fields that take a URL and so also an uploaded file: its id (`file_…`)
   * or its content URL. At submit the file must exist for the caller's tenant
   * (else 404 `file_not_found`); the processor reads it through `ctx.files`.
   */
  readonly fileInputs?: readonly string[];
  /** Normalise the validated input at submit (fill server defaults, fix a seed). */
  prepare?(input: I, ctx: PrepareContext): I;
  /** The per-attempt timeout this input needs, in ms; `--job-timeout` caps it and stands in when absent. */
  timeoutMs?(input: I): number;
  /** Whether the tools it needs are present. */
  check?(): Promise<Availability>;
  run(ctx: ProcessorContext<I>): Promise<JsonObject>;
}
