// Group commit: work items queue up and are committed together, up to `size` per
// transaction, with at most `lanes` transactions at a time. When no lane is busy the
// first takes whatever is queued at once, so a lone delivery waits for nothing (unless
// the owner asks items to gather for `gatherMs` first: a consumer off the orders' path,
// whose every transaction otherwise costs as much as a group's; or, for
// `gatherUnderLoadMs`, while items come at least twice that often); while one is busy,
// items gather for the next group. A further lane opens only when a full
// group waits (one lane cannot keep up), or when items have waited `overflowAfterMs`
// (a slow transaction must not hold them up). Opening a lane for every item that found
// the others busy kept groups at one or two items under moderate load: at 50 orders/s,
// 6.7 transactions per order, and end-to-end latency twice what it is with this rule,
// which changes nothing flat out, where every lane is busy anyway. When a batch of several
// fails, each of its items runs again on its own: one bad item (or a deadlock with
// another lane) never fails its neighbours, and a lone failure is the item's own.
// A failure that is no item's own (the database unreachable) can fail them all at
// once instead: retrying them one after the other would only make each wait longer.
export interface GroupCommitOptions<T, R> {
  /** Items per transaction at most. */
  readonly size: number;
  /** Transactions at a time at most. */
  readonly lanes: number;
  /** How long items wait for a busy lane before a further one opens for them, short of a full group (default 100). */
  readonly overflowAfterMs?: number;
  /** How long the first item waits for others while every lane is free, short of a full group (default 0: not at all). */
  readonly gatherMs?: number;
  /**
   * The same wait, only while items come at least twice per this long (their mean gap at
   * most half of it), so that at least two more are due within it (default 0: never). A
   * lone item at a low rate goes at once; under load, where each transaction costs about
   * as much alone as in a group, the groups grow and the machine has room to spare.
   */
  readonly gatherUnderLoadMs?: number;
  /** Commits the items in one transaction; resolves with one result per item, in order. */
  readonly commit: (items: readonly T[]) => Promise<readonly R[]>;
  /** Told when a batch of several failed and its items are retried one by one. */
  readonly onBatchFailed?: (size: number, error: unknown) => void;
  /** True for a failure that is no item's own: every item of the batch fails with it, none is retried alone. */
  readonly sharedFailure?: (error: unknown) => boolean;
}

/** A group commit's shape: items per transaction, transactions at a time, and how long a first item gathers others. */
export type GroupShape = Pick<GroupCommitOptions<unknown, unknown>, 'size' | 'lanes' | 'gatherMs' | 'gatherUnderLoadMs'>;

interface Queued<T, R> {
  readonly item: T;
  /** When it was submitted (performance.now()). */
  readonly since: number;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/** The mean gap follows the rate within a few dozen items: each new gap counts for an eighth. */
const GAP_WEIGHT = 8;

export class GroupCommit<T, R> {
  readonly #options: GroupCommitOptions<T, R>;
  readonly #queue: Queued<T, R>[] = [];
  #busy = 0;
  /** Opens a lane for items that waited long enough (gatherMs, or overflowAfterMs while a lane is busy); set while items wait and none is opening. */
  #due: NodeJS.Timeout | undefined;
  /** When #due fires (performance.now()). */
  #dueAt = 0;
  /** The items' mean gap (ms), weighted towards the latest (1/GAP_WEIGHT each); Infinity until a second item came. */
  #meanGapMs = Infinity;
  #lastSubmitAt: number | undefined;

  constructor(options: GroupCommitOptions<T, R>) {
    if (options.size < 1 || options.lanes < 1) throw new Error(`group commit needs size and lanes of at least 1 (size ${options.size}, lanes ${options.lanes})`);
    if ((options.gatherMs ?? 0) < 0 || (options.gatherUnderLoadMs ?? 0) < 0 || (options.overflowAfterMs ?? 0) < 0) {
      throw new Error(`group commit waits cannot be negative (gatherMs ${options.gatherMs}, gatherUnderLoadMs ${options.gatherUnderLoadMs}, overflowAfterMs ${options.overflowAfterMs})`);
    }
    this.#options = options;
  }

  /** Items submitted and not yet taken into a transaction: gathering for the next group, or waiting for a free lane. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves with the item's result once its transaction committed; rejects with its own failure. */
  submit(item: T): Promise<R> {
    const now = performance.now();
    if (this.#lastSubmitAt !== undefined) {
      const gap = now - this.#lastSubmitAt;
      this.#meanGapMs = this.#meanGapMs === Infinity ? gap : this.#meanGapMs + (gap - this.#meanGapMs) / GAP_WEIGHT;
    }
    this.#lastSubmitAt = now;
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, since: now, resolve, reject });
      this.#drain();
    });
  }

  #drain(): void {
    const { lanes, size } = this.#options;
    // How long the queue's first item (it has waited longest) may wait before a lane opens for it, short of a full group.
    const patience = () => this.#busy === 0 ? this.#gatherMs() : this.#options.overflowAfterMs ?? 100;
    const waited = () => performance.now() - this.#queue[0]!.since;
    while (this.#busy < lanes && this.#queue.length > 0 && (this.#queue.length >= size || waited() >= patience())) {
      this.#open(this.#queue.splice(0, size));
    }
    if (this.#queue.length === 0 || this.#busy >= lanes) {
      // Nothing waits, or the next lane to free takes what is due then (its #drain).
      clearTimeout(this.#due);
      this.#due = undefined;
      return;
    }
    const dueAt = performance.now() + patience() - waited();
    // Re-armed only when due earlier (a lane freed: the gathering wait replaces the overflow's); one
    // armed for an item taken meanwhile fires early, finds the next item not yet due, and arms again.
    if (this.#due && this.#dueAt <= dueAt) return;
    clearTimeout(this.#due);
    this.#dueAt = dueAt;
    this.#due = setTimeout(() => {
      this.#due = undefined;
      this.#drain();
    }, Math.max(0, dueAt - performance.now()));
  }

  /** How long a first item waits for others while every lane is free: gatherMs, or gatherUnderLoadMs while items come at least twice per it. */
  #gatherMs(): number {
    const underLoad = this.#options.gatherUnderLoadMs ?? 0;
    return Math.max(this.#options.gatherMs ?? 0, underLoad > 0 && this.#meanGapMs * 2 <= underLoad ? underLoad : 0);
  }

  #open(batch: Queued<T, R>[]): void {
    this.#busy += 1;
    void this.#run(batch).finally(() => {
      this.#busy -= 1;
      this.#drain();
    });
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
