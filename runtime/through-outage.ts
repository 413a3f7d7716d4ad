// Getting through a brief outage of the database or the broker (a restart, a dropped
// connection) instead of failing work that is not at fault:
//   throughOutage retries one short database write, rather than leaving its effect to
//   a lease that runs out minutes later; only infrastructure failures are retried, any
//   other error is the caller's;
//   untilReachable waits, probing with growing pauses, until everything answers again
//   (the consumer pauses its consumption on it).
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, isInfrastructure } from './errors.ts';
import type { Logger } from './logger.ts';

export async function throughOutage<T>(write: () => Promise<T>, o: { readonly what: string; readonly deadline: number; readonly log: Logger }): Promise<T> {
  for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
    try {
      return await write();
    } catch (err) {
      if (!isInfrastructure(err) || Date.now() + wait > o.deadline) throw err;
      o.log.warn({ err: describeError(err).message, retryInMs: wait }, `${o.what}: database unreachable; trying again`);
      await sleep(wait);
    }
  }
}

export interface ProbeBackoff {
  /** The first pause, doubled after each probe that fails. */
  readonly first: number;
  /** The longest pause. */
  readonly max: number;
}

/** Resolves once `reachable` says yes, probing after each pause, or once `stopped` says so. */
export async function untilReachable(reachable: () => Promise<boolean>, backoff: ProbeBackoff, stopped: () => boolean): Promise<void> {
  for (let wait = backoff.first; !stopped(); wait = Math.min(wait * 2, backoff.max)) {
    await sleep(wait);
    if (await reachable()) return;
  }
}
