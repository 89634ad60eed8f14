/** More addresses than this are not remembered: the oldest windows are forgotten first. */
const MAX_ADDRESSES = 100_000;

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * Counts wrong API keys per client address in fixed windows, so that keys
 * cannot be guessed at the speed of the network: past `max` failures in a
 * window, the address's next failures are answered 429 until the window
 * ends. Only failures count and only failures are refused: a client with a
 * valid key behind the same address (a NAT, a proxy) keeps working. Counts
 * are per process and held in memory, at most {@link MAX_ADDRESSES} of them.
 */
export class AuthFailureLimit {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor({
    max,
    windowMs,
    now = Date.now,
  }: {
    /** Failures allowed per address per window; 0 is no limit. */
    max: number;
    windowMs: number;
    /** @default Date.now */
    now?: () => number;
  }) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /**
   * Count one failure from `address`. Returns null while the address is
   * within its budget, else the milliseconds until its window ends.
   */
  fail(address: string): number | null {
    if (this.#max === 0) return null;
    const now = this.#now();
    let window = this.#windows.get(address);
    if (!window || window.endsAt <= now) {
      this.#windows.delete(address);
      this.#makeRoom(now);
      window = { failures: 0, endsAt: now + this.#windowMs };
      // Insertion order is the order windows end in: the sweep stops at the first live one.
      this.#windows.set(address, window);
    }
    window.failures += 1;
    return window.failures > this.#max ? window.endsAt - now : null;
  }

  #makeRoom(now: number): void {
    if (this.#windows.size < MAX_ADDRESSES) return;
    for (const [address, window] of this.#windows) {
      if (window.endsAt > now && this.#windows.size < MAX_ADDRESSES) return;
      this.#windows.delete(address);
    }
  }
}
