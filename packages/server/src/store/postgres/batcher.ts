/** What one item of a batch came to: its own result, or its own error. */
export type Outcome<R> = { value: R } | { error: unknown };

export interface BatcherOptions<I, R> {
  /** Write a batch; one outcome per item, in order. A throw is every item's error. */
  run: (items: I[]) => Promise<Outcome<R>[]>;
  /** The most items one run takes; the rest wait for the next. */
  maxItems: number;
}

/**
 * Group commit: items added while no batch is being written go in one on the
 * next turn of the event loop (so one item alone waits for nothing); items
 * added while one is being written wait for it to end and go together in the
 * next. One batch at a time: under load the batches grow instead of the
 * number of statements.
 */
export class Batcher<I, R> {
  readonly #run: (items: I[]) => Promise<Outcome<R>[]>;
  readonly #maxItems: number;
  #queue: { item: I; resolve: (value: R) => void; reject: (err: unknown) => void }[] = [];
  /** A batch is scheduled or being written: the next one starts when it ends. */
  #busy = false;

  constructor({ run, maxItems }: BatcherOptions<I, R>) {
    this.#run = run;
    this.#maxItems = maxItems;
  }

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.#maxItems);
    try {
      const outcomes = await this.#run(batch.map((b) => b.item));
      for (const [i, { resolve, reject }] of batch.entries()) {
        const outcome = outcomes[i];
        if (outcome && 'value' in outcome) resolve(outcome.value);
        else reject(outcome ? outcome.error : new Error('a batch gave no outcome for an item'));
      }
    } catch (err) {
      for (const { reject } of batch) reject(err);
    }
    if (this.#queue.length > 0) setImmediate(() => void this.#flush());
    else this.#busy = false;
  }
}
