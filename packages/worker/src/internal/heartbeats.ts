import type { Report } from './api.js';

/** What a handler reported since the last heartbeat. `eta` is epoch ms, turned into `eta_seconds` when sent. */
export interface Patch {
  progress?: number;
  stage?: string | null;
  message?: string | null;
  eta?: number | null;
  logs?: string[];
}

/**
 * The most log text waiting for the next heartbeat, in characters. A handler
 * that logs faster than an unreachable server takes lines would otherwise
 * gather them without end; the oldest waiting lines go first, and the next
 * heartbeat says how many.
 */
export const MAX_PENDING_LOG_CHARS = 256 * 1024;

/** What one call may carry, as the server's route schemas say: longer text is cut, more lines wait. */
export const REPORT_LIMITS = Object.freeze({
  lines: 1000,
  lineChars: 10_000,
  stageChars: 200,
  messageChars: 2000,
});
/** The longest eta the server takes, in seconds (a year). */
const MAX_ETA_SECONDS = 31_536_000;

export interface HeartbeatsOptions {
  /**
   * Sends one heartbeat. Resolving means it was taken (or is not worth sending
   * again); rejecting means it may be sent again, so what it carried is kept.
   */
  send: (report: Report) => Promise<void>;
  /** The longest time between two heartbeats, reports or not. */
  intervalMs: number;
  /** The least time between two heartbeats: reports in between are coalesced. @default 200 */
  minGapMs?: number;
  /** The wait before sending again after the `failures`-th failure in a row (capped at `intervalMs`). */
  retryDelayMs: (failures: number) => number;
}

/**
 * One job's heartbeats. A handler may report progress and log lines as often
 * as it likes; they are folded together and ride on the next heartbeat, sent
 * soon after a report (at most one per `minGapMs`: five a second by default)
 * and at least every `intervalMs` to keep the lease. One heartbeat at a time:
 * what comes while one is in flight goes with the next, and what a failed one
 * carried is sent again.
 */
export class Heartbeats {
  readonly #send: HeartbeatsOptions['send'];
  readonly #intervalMs: number;
  readonly #minGapMs: number;
  readonly #retryDelayMs: HeartbeatsOptions['retryDelayMs'];
  #pending: Omit<Patch, 'logs'> = {};
  #logs: string[] = [];
  #logChars = 0;
  #droppedLines = 0;
  #lastSentAt: number;
  #failures = 0;
  #retryAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | null = null;
  #closed = false;

  constructor({ send, intervalMs, minGapMs = 200, retryDelayMs }: HeartbeatsOptions) {
    this.#send = send;
    this.#intervalMs = intervalMs;
    this.#minGapMs = minGapMs;
    this.#retryDelayMs = retryDelayMs;
    this.#lastSentAt = Date.now();
    this.#arm();
  }

  /** Fold a report into the next heartbeat. */
  add(patch: Patch): void {
    if (this.#closed) return;
    this.#merge(patch);
    this.#arm();
  }

  /**
   * Stop sending; wait for the heartbeat in flight, and hand back what was not
   * sent, for the outcome's call to carry.
   */
  async close(): Promise<Report> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
    // The outcome's call is the last: what it cannot carry is left out, the oldest lines first.
    this.#dropOldest(this.#logs.length - (REPORT_LIMITS.lines - 1));
    return this.#take();
  }

  #merge({ logs, progress, stage, message, eta }: Patch): void {
    const p = this.#pending;
    if (progress !== undefined) p.progress = Math.max(p.progress ?? 0, progress);
    if (stage !== undefined) p.stage = cut(stage, REPORT_LIMITS.stageChars);
    if (message !== undefined) p.message = cut(message, REPORT_LIMITS.messageChars);
    if (eta !== undefined) p.eta = eta;
    if (logs?.length) {
      const lines = logs.map((raw) => cut(raw, REPORT_LIMITS.lineChars));
      this.#logs.push(...lines);
      this.#logChars += lines.reduce((sum, line) => sum + line.length, 0);
      // Past the bound the oldest lines go, never the newest.
      let over = 0;
      for (let chars = this.#logChars; chars > MAX_PENDING_LOG_CHARS && over < this.#logs.length - 1; over++)
        chars -= this.#logs[over]!.length;
      this.#dropOldest(over);
    }
  }

  /** Leave out the `count` oldest waiting lines; the next report says how many were left out. */
  #dropOldest(count: number): void {
    if (count <= 0) return;
    for (const line of this.#logs.splice(0, count)) this.#logChars -= line.length;
    this.#droppedLines += count;
  }

  #hasNews(): boolean {
    return this.#logs.length > 0 || Object.keys(this.#pending).length > 0;
  }

  /**
   * What waits, as a heartbeat's body; it is no longer waiting. Log lines past
   * what one call may carry wait for the next heartbeat, which comes soon.
   */
  #take(): Report {
    const { eta, ...fields } = this.#pending;
    const report: Report = { ...fields };
    if (eta !== undefined)
      report.eta_seconds =
        eta === null ? null : Math.min(MAX_ETA_SECONDS, Math.max(0, Math.round((eta - Date.now()) / 1000)));
    if (this.#logs.length > 0) {
      const note =
        this.#droppedLines > 0
          ? [`[longrun] ${this.#droppedLines} log lines left out: they came faster than the server took them`]
          : [];
      const lines = this.#logs.splice(0, REPORT_LIMITS.lines - note.length);
      for (const line of lines) this.#logChars -= line.length;
      report.logs = [...note, ...lines];
    }
    this.#pending = {};
    this.#droppedLines = 0;
    return report;
  }

  /** Put back what a failed heartbeat carried, before what waits. */
  #restore(sent: Report): void {
    const { eta_seconds, logs = [], ...fields } = sent;
    const since = this.#pending;
    const sinceLogs = this.#logs;
    this.#pending = {};
    this.#logs = [];
    this.#logChars = 0;
    this.#merge({
      ...fields,
      ...(eta_seconds === undefined
        ? {}
        : { eta: eta_seconds === null ? null : Date.now() + eta_seconds * 1000 }),
      logs,
    });
    this.#merge({ ...since, logs: sinceLogs });
  }

  #arm(): void {
    if (this.#closed || this.#inFlight) return;
    clearTimeout(this.#timer);
    const due =
      this.#failures > 0
        ? this.#retryAt
        : this.#lastSentAt +
          (this.#hasNews() ? Math.min(this.#minGapMs, this.#intervalMs) : this.#intervalMs);
    this.#timer = setTimeout(() => this.#flush(), Math.max(0, due - Date.now()));
  }

  #flush(): void {
    const report = this.#take();
    this.#lastSentAt = Date.now();
    this.#inFlight = this.#send(report).then(
      () => {
        this.#failures = 0;
      },
      () => {
        this.#failures += 1;
        this.#retryAt = Date.now() + Math.min(this.#intervalMs, this.#retryDelayMs(this.#failures - 1));
        this.#restore(report);
      },
    );
    this.#inFlight.finally(() => {
      this.#inFlight = null;
      this.#arm();
    });
  }
}

function cut<T extends string | null>(text: T, max: number): T {
  return (text !== null && text.length > max ? text.slice(0, max) : text) as T;
}
