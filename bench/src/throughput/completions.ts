/**
 * Completions heard on a stream, matched to the jobs a submitter is waiting
 * for. A completion may arrive before the reply that named its job (the job
 * ran while the reply was on its way), so one heard early is kept until the
 * job is asked for.
 */
export class Completions {
  readonly #early = new Set<string>();
  readonly #waiting = new Map<string, () => void>();

  heard(id: string): void {
    const resolve = this.#waiting.get(id);
    if (resolve) {
      this.#waiting.delete(id);
      resolve();
    } else this.#early.add(id);
  }

  /** Resolves once job `id` has been heard of, whether before this call or after. */
  waitFor(id: string): Promise<void> {
    if (this.#early.delete(id)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.set(id, resolve));
  }

  /** Jobs asked for and not heard of yet. */
  get waiting(): number {
    return this.#waiting.size;
  }
}
