/**
 * A map that holds at most `maxBytes` of values, by the cost each is put with:
 * the oldest written go first. A value that would take more than
 * `maxEntryBytes` is not kept at all (and any older value under its key goes):
 * one huge entry must not push out hundreds of ordinary ones.
 */
export class ByteBoundedMap<K, V> {
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  readonly #entries = new Map<K, { value: V; bytes: number }>();
  #bytes = 0;

  constructor({ maxBytes, maxEntryBytes = maxBytes }: { maxBytes: number; maxEntryBytes?: number }) {
    this.#maxBytes = maxBytes;
    this.#maxEntryBytes = Math.min(maxEntryBytes, maxBytes);
  }

  /** The bytes held now, by the costs given to {@link set}. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Keep `value` as the newest entry, unless it costs more than an entry may; returns whether it was kept. */
  set(key: K, value: V, bytes: number): boolean {
    this.delete(key);
    if (bytes > this.#maxEntryBytes) return false;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
    return true;
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
