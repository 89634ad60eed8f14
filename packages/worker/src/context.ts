/** A JSON object: what inputs and outputs are. */
export type JsonObject = { [key: string]: unknown };

/** A claimed job as the handler sees it: the fields of the job the claim handed over. */
export interface WorkerJob {
  id: string;
  type: string;
  /** 1 for the first attempt. */
  attempt: number;
  max_attempts: number;
  /** The caller's labels, as given at submit. */
  metadata: JsonObject;
  /** The tenant (API key's owner) that submitted the job; `default` on an open server. */
  tenant: string;
  queue?: string | undefined;
  /** The rest of what the server sent about the job (created_at, priority…). */
  [field: string]: unknown;
}

/** What `ctx.artifacts.put` answers: list it in the output's `artifacts` array. */
export interface ArtifactInfo {
  name: string;
  content_type: string;
  size: number;
  /** Where a client downloads it, relative to the server, e.g. `/v1/jobs/01JF…/artifacts/out.mp4`. */
  url: string;
}

/** Where a handler puts its result files. */
export interface ArtifactSink {
  /**
   * Upload the file at `fromPath` as the job's artifact `name` (`[A-Za-z0-9._-]{1,128}`),
   * streamed from disk; retried while the server cannot be reached. Returns what
   * `output.artifacts` should list.
   */
  put(name: string, fromPath: string, contentType: string): Promise<ArtifactInfo>;
}

/**
 * What a handler sees while it runs one attempt of a job: the same shape as a
 * server-side processor's context (docs/processors.md), over HTTP.
 */
export interface JobContext<I = JsonObject> {
  /** The job as it was when this attempt was claimed. */
  readonly job: WorkerJob;
  /** The input, validated by the server against the type's schema, defaults filled in. */
  readonly input: I;
  /**
   * Fires when the job is canceled (a heartbeat's answer says so), when its
   * lease is lost, and when the worker stops and the drain runs out. Its
   * `reason` is a {@link JobStopped}. Stop promptly; nothing the handler
   * returns or throws afterwards is reported.
   */
  readonly signal: AbortSignal;
  /**
   * Report progress (0-100, never lower than before in this attempt), and
   * optionally the stage and a message. Call it as often as you like: reports
   * are coalesced and sent with the heartbeats, at most about five a second.
   */
  progress(percent: number, update?: { stage?: string | null; message?: string | null }): void;
  /** Append a line to the job's log (sent with the next heartbeat). */
  log(line: string): void;
  /** The estimated finish time, shown as the job's `eta`; null clears it. */
  setEta(at: Date | null): void;
  /** A private scratch folder for this attempt, removed when the attempt ends. */
  tempDir(): Promise<string>;
  /** Uploads the job's result files. */
  readonly artifacts: ArtifactSink;
}
