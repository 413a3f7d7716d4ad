// The loop of a worker that drains a table (the outbox relay's fallback pass, the
// mail dispatcher): a pass, then another at once while passes come back full, else a
// sleep until the next poll or until the process that wrote new work nudges it. A
// failed pass is logged and retried shortly. Nothing is lost when a nudge is: the
// poll finds the work anyway.
import type { Logger } from './logger.ts';

/** A sleep that wake() cuts short; a wake-up that comes while nobody sleeps is kept for the next sleep. */
export class Wakeup {
  #pending = false;
  #wake: (() => void) | undefined;

  wake(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }

  async sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
    this.#pending = false;
  }
}

export interface PollingLoopOptions {
  /** Runs one pass; returns how many items it claimed. */
  readonly pass: () => Promise<number>;
  /** A pass that claimed this many goes again at once: there may be more. */
  readonly batchSize: number;
  readonly pollMs: number;
  readonly log: Logger;
  /** Says what failed in a pass, for the log. */
  readonly what: string;
}

export interface PollingLoop {
  /** Runs a pass now rather than at the next poll. */
  nudge(): void;
  /** Starts no new pass; resolves once the current one ended. */
  halt(): Promise<void>;
}

export function pollingLoop(o: PollingLoopOptions): PollingLoop {
  const wakeup = new Wakeup();
  let running = true;
  const loop = (async () => {
    while (running) {
      let claimed = 0;
      try {
        claimed = await o.pass();
      } catch (err) {
        o.log.warn({ err: (err as Error).message }, `${o.what} failed; retrying`);
        await wakeup.sleep(Math.min(o.pollMs, 1000));
        continue;
      }
      if (claimed < o.batchSize) await wakeup.sleep(o.pollMs);
    }
  })();
  return {
    nudge: () => wakeup.wake(),
    halt: async () => {
      running = false;
      wakeup.wake();
      await loop;
    },
  };
}
