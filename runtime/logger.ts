// JSON logs (pino) carrying the service, and per message its messageId and correlationId.
// Lines are written to stdout in chunks of whole lines rather than one write each: at
// info every handled message logs a line, and a write per line was a tenth of the
// process's time. A chunk is at most 4 KB (PIPE_BUF), so the threads of one process
// never interleave inside a line; it goes out at 2 KB, or after a second, or at
// flushLogs(). A process that is killed loses at most one chunk.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

let stdout: (DestinationStream & { flushSync(): void }) | undefined;

export function createLogger(config: Pick<Config, 'logLevel'>, bindings: Record<string, unknown> = {}): Logger {
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 2048, maxWrite: 4096, periodicFlush: 1000 });
  return pino({ level: config.logLevel, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime }, stdout);
}

/** Writes out the buffered log lines now (before an exit). */
export function flushLogs(): void {
  try {
    stdout?.flushSync();
  } catch {
    // nothing buffered yet, or stdout is closed: nothing more can be written anyway
  }
}
