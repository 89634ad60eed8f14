/** One value, linked to the values written just before and after it. */
interface Entry<K, V> {
  key: K;
  value: V;
  bytes: number;
  older: Entry<K, V> | null;
  newer: Entry<K, V> | null;
}

/**
 * A map that holds at most `maxBytes` of values, by the cost each is put with:
 * the oldest written go first. A value that would take more than
 * `maxEntryBytes` is not kept at all (and any older value under its key goes):
 * one huge entry must not push out hundreds of ordinary ones.
 *
 * The order of writing is a list of its own, not the Map's: a Map iterated
 * from its start walks past every entry deleted since it last grew, so taking
 * the oldest that way cost 6 µs in a map of 30,000 that gives up its oldest
 * on every write.
 */
export class ByteBoundedMap<K, V> {
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
  readonly #entries = new Map<K, Entry<K, V>>();
  #oldest: Entry<K, V> | null = null;
  #newest: Entry<K, V> | null = null;
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
    const entry: Entry<K, V> = { key, value, bytes, older: this.#newest, newer: null };
    if (this.#newest) this.#newest.newer = entry;
    else this.#oldest = entry;
    this.#newest = entry;
    this.#entries.set(key, entry);
    this.#bytes += bytes;
    while (this.#bytes > this.#maxBytes && this.#oldest) this.#remove(this.#oldest);
    return true;
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (entry) this.#remove(entry);
  }

  #remove(entry: Entry<K, V>): void {
    this.#entries.delete(entry.key);
    this.#bytes -= entry.bytes;
    if (entry.older) entry.older.newer = entry.newer;
    else this.#oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.#newest = entry.older;
  }
}
