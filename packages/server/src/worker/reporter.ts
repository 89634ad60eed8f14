import { MAX_LOG_LINE } from '../store/clean-text.js';
import type { ProgressPatch } from '../store/store.js';

/**
 * The most log text waiting for the next write, in characters. A processor
 * that logs faster than a slow (or unreachable) store takes lines would
 * otherwise gather them without end; the oldest waiting lines go first, and
 * the write says how many.
 */
export const MAX_PENDING_LOG_CHARS = 256 * 1024;

/**
 * Gathers a processor's progress, stage, message, eta and log lines and
 * writes them at most once per `intervalMs`, so a processor may report as
 * often as it likes while the store sees about ten writes a second. One write
 * at a time: what comes while one is in flight is folded into the next, so a
 * slow store never gathers a backlog that the job's outcome would wait behind.
 * Waiting log lines are bounded by {@link MAX_PENDING_LOG_CHARS}.
 */
export class ProgressReporter {
  readonly #write: (patch: ProgressPatch) => Promise<unknown>;
  readonly #intervalMs: () => number;
  readonly #onError: (err: unknown) => void;
  #pending: ProgressPatch | null = null;
  /** Log lines waiting for the next write (kept apart from #pending so that they can be bounded). */
  #logs: string[] = [];
  #logChars = 0;
  #droppedLines = 0;
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
    if (patch.logs?.length) this.#addLogs(patch.logs);
    this.#schedule();
  }

  #addLogs(lines: readonly string[]): void {
    for (const raw of lines) {
      // The store cuts a line there anyway; cutting it now bounds what waits.
      const line = raw.length > MAX_LOG_LINE ? raw.slice(0, MAX_LOG_LINE) : raw;
      this.#logs.push(line);
      this.#logChars += line.length;
    }
    let drop = 0;
    while (this.#logChars > MAX_PENDING_LOG_CHARS && drop < this.#logs.length - 1) {
      this.#logChars -= this.#logs[drop]!.length;
      drop++;
    }
    if (drop > 0) {
      this.#logs.splice(0, drop);
      this.#droppedLines += drop;
    }
  }

  /** What waits to be written, log lines included; null when nothing does. */
  #take(): ProgressPatch | null {
    const patch = this.#pending;
    this.#pending = null;
    if (!patch) return null;
    if (this.#logs.length > 0) {
      const note =
        this.#droppedLines > 0
          ? [`[longrun] ${this.#droppedLines} log lines left out: they came faster than the store took them`]
          : [];
      patch.logs = [...note, ...this.#logs];
      this.#logs = [];
      this.#logChars = 0;
      this.#droppedLines = 0;
    }
    return patch;
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
    if (!this.#pending || this.#writing) return;
    const patch = this.#take()!;
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
    return this.#take() ?? {};
  }
}
