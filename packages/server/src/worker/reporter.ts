import type { ProgressPatch } from '../store/store.js';

/**
 * Gathers a processor's progress, stage, message, eta and log lines and
 * writes them at most once per `intervalMs`, so a processor may report as
 * often as it likes while the store sees about ten writes a second. One write
 * at a time: what comes while one is in flight is folded into the next, so a
 * slow store never gathers a backlog that the job's outcome would wait behind.
 */
export class ProgressReporter {
  readonly #write: (patch: ProgressPatch) => Promise<unknown>;
  readonly #intervalMs: () => number;
  readonly #onError: (err: unknown) => void;
  #pending: ProgressPatch | null = null;
  #lastWrite = 0;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> = Promise.resolve();
  #writing = false;
  #closed = false;

  constructor({
    write,
    intervalMs = 100,
    onError,
  }: {
    write: (patch: ProgressPatch) => Promise<unknown>;
    /** The least time between two writes; a function when it changes with the load. */
    intervalMs?: number | (() => number) | undefined;
    onError: (err: unknown) => void;
  }) {
    this.#write = write;
    this.#intervalMs = typeof intervalMs === 'number' ? () => intervalMs : intervalMs;
    this.#onError = onError;
  }

  add(patch: ProgressPatch): void {
    if (this.#closed) return;
    this.#pending ??= {};
    const p = this.#pending;
    if (patch.progress !== undefined) p.progress = Math.max(p.progress ?? 0, patch.progress);
    if (patch.stage !== undefined) p.stage = patch.stage;
    if (patch.message !== undefined) p.message = patch.message;
    if (patch.eta !== undefined) p.eta = patch.eta;
    if (patch.logs?.length) p.logs = [...(p.logs ?? []), ...patch.logs];
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#writing) return;
    const wait = Math.max(0, this.#lastWrite + this.#intervalMs() - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#flushNow();
    }, wait);
  }

  #flushNow(): void {
    const patch = this.#pending;
    if (!patch || this.#writing) return;
    this.#pending = null;
    this.#lastWrite = Date.now();
    this.#writing = true;
    this.#inFlight = this.#write(patch).then(
      () => this.#written(),
      (err) => {
        this.#onError(err);
        this.#written();
      },
    );
  }

  #written(): void {
    this.#writing = false;
    if (this.#pending && !this.#closed) this.#schedule();
  }

  /** Stop writing and hand back what was not written yet (the final write carries it). */
  async close(): Promise<ProgressPatch> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight;
    const rest = this.#pending ?? {};
    this.#pending = null;
    return rest;
  }
}
