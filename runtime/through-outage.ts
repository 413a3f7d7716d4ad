// Retries one short database write through a brief outage (a restart, a dropped
// connection) instead of leaving its effect to a lease that runs out minutes later.
// Only infrastructure failures are retried; any other error is the caller's.
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
