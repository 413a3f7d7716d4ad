// Group commit: work items queue up and are committed together, up to `size` per
// transaction, with at most `lanes` transactions at a time. A lane that is free
// takes whatever is queued at once, so a lone delivery waits for nothing, and under
// load batches grow by themselves while the lanes are busy. When a batch of several
// fails, each of its items runs again on its own: one bad item (or a deadlock with
// another lane) never fails its neighbours, and a lone failure is the item's own.
// A failure that is no item's own (the database unreachable) can fail them all at
// once instead: retrying them one after the other would only make each wait longer.
export interface GroupCommitOptions<T, R> {
  /** Items per transaction at most. */
  readonly size: number;
  /** Transactions at a time at most. */
  readonly lanes: number;
  /** Commits the items in one transaction; resolves with one result per item, in order. */
  readonly commit: (items: readonly T[]) => Promise<readonly R[]>;
  /** Told when a batch of several failed and its items are retried one by one. */
  readonly onBatchFailed?: (size: number, error: unknown) => void;
  /** True for a failure that is no item's own: every item of the batch fails with it, none is retried alone. */
  readonly sharedFailure?: (error: unknown) => boolean;
}

interface Queued<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  readonly #options: GroupCommitOptions<T, R>;
  readonly #queue: Queued<T, R>[] = [];
  #busy = 0;

  constructor(options: GroupCommitOptions<T, R>) {
    if (options.size < 1 || options.lanes < 1) throw new Error(`group commit needs size and lanes of at least 1 (size ${options.size}, lanes ${options.lanes})`);
    this.#options = options;
  }

  /** Items submitted and not yet taken into a transaction: they wait for a free lane. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves with the item's result once its transaction committed; rejects with its own failure. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#busy < this.#options.lanes && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.size);
      this.#busy += 1;
      void this.#run(batch).finally(() => {
        this.#busy -= 1;
        this.#drain();
      });
    }
  }

  async #run(batch: Queued<T, R>[]): Promise<void> {
    try {
      const results = await this.#options.commit(batch.map((q) => q.item));
      batch.forEach((q, i) => q.resolve(results[i]!));
      return;
    } catch (error) {
      if (batch.length === 1 || this.#options.sharedFailure?.(error)) {
        for (const q of batch) q.reject(error);
        return;
      }
      this.#options.onBatchFailed?.(batch.length, error);
    }
    for (const q of batch) {
      await this.#options.commit([q.item]).then((results) => q.resolve(results[0]!), q.reject);
    }
  }
}
