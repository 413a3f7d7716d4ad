// What wakes a polling worker early: a Wakeup it sleeps on, and a dedicated
// PostgreSQL connection that LISTENs on a channel and reconnects by itself. The
// worker polls regardless, so a lost connection only costs latency, never rows.
import pg from 'pg';
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

export interface Listening {
  stop(): Promise<void>;
}

/**
 * Calls onNotify on every NOTIFY of the channel, and once after each (re)connect
 * (whatever was written while nobody listened). Reconnects every retryMs while down.
 */
export function listenFor(databaseUrl: string, channel: string, onNotify: () => void, log: Logger, retryMs = 1000): Listening {
  let running = true;
  let client: pg.Client | undefined;
  const pause = new Wakeup();
  const loop = (async () => {
    while (running) {
      const c = new pg.Client({ connectionString: databaseUrl });
      client = c;
      try {
        const ended = new Promise<void>((resolve) => {
          c.on('error', (err) => {
            if (running) log.warn({ channel, err: err.message }, 'LISTEN connection lost; polling until it is back');
            resolve();
          });
          c.on('end', () => resolve());
        });
        await c.connect();
        c.on('notification', () => onNotify());
        await c.query(`listen ${channel}`);
        if (!running) break;
        onNotify();
        await ended;
      } catch (err) {
        if (running) log.warn({ channel, err: (err as Error).message }, 'LISTEN failed; polling meanwhile');
      } finally {
        client = undefined;
        await c.end().catch(() => undefined);
      }
      if (running) await pause.sleep(retryMs);
    }
  })();
  return {
    async stop() {
      running = false;
      pause.wake();
      await client?.end().catch(() => undefined);
      await loop;
    },
  };
}

export interface PollingLoopOptions {
  /** Runs one pass; returns how many items it claimed. */
  readonly pass: () => Promise<number>;
  /** A pass that claimed this many goes again at once: there may be more. */
  readonly batchSize: number;
  readonly pollMs: number;
  readonly databaseUrl: string;
  /** The NOTIFY channel that says there is work; without one the loop only polls (and is nudged). */
  readonly channel?: string;
  readonly log: Logger;
  /** Says what failed in a pass, for the log. */
  readonly what: string;
}

export interface PollingLoop {
  /** Runs a pass now rather than at the next poll. */
  nudge(): void;
  /** Starts no new pass; resolves once the current one ended. */
  halt(): Promise<void>;
  /** Closes the LISTEN connection, if any (after halt). */
  close(): Promise<void>;
}

/**
 * The loop of a worker that drains a table: a pass, then another at once while
 * passes come back full, else a sleep until NOTIFY or the poll. A failed pass is
 * logged and retried shortly.
 */
export function pollingLoop(o: PollingLoopOptions): PollingLoop {
  const wakeup = new Wakeup();
  let running = true;
  const listening = o.channel ? listenFor(o.databaseUrl, o.channel, () => wakeup.wake(), o.log, Math.max(o.pollMs, 1000)) : undefined;
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
    close: async () => listening?.stop(),
  };
}
