// Logs (pino) carrying the service, and per message its messageId and correlationId:
// JSON lines for machines, or pretty coloured lines for a person at a terminal
// (LOG_FORMAT=pretty|json; by default pretty exactly when stdout is a TTY).
// JSON lines are written to stdout in chunks of whole lines rather than one write each:
// at info every handled message logs a line, and a write per line was a tenth of the
// process's time. A chunk is at most 4 KB (PIPE_BUF), so the threads of one process
// never interleave inside a line; it goes out at 2 KB, or after a second, or at
// flushLogs(). A process that is killed loses at most one chunk. Pretty lines are
// written at once: a terminal reads them as they come, and speed matters less there.
// A line written within a trace (a delivery, a request, an e-mail send) carries its
// trace_id and span_id (runtime/tracing.ts); a line outside any carries neither.
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.ts';
import { activeTraceIds } from './tracing.ts';

export type { Logger };

let stdout: (DestinationStream & { flushSync(): void }) | undefined;
let prettyStdout: DestinationStream | undefined;

/** The logger of a process; without `logFormat` (tests, tools) JSON lines; to `destination` instead of stdout if given (tests). */
export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'logFormat'>>, bindings: Record<string, unknown> = {}, destination?: DestinationStream,
): Logger {
  const options = { level: config.logLevel, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceIds };
  if (config.logFormat === 'pretty') {
    // one line per record, led by the service; the process-wide bindings say nothing new at a terminal
    prettyStdout ??= pretty({
      destination: 1,
      sync: true,
      colorize: pretty.isColorSupported,
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
      messageFormat: '{if service}{service}: {end}{msg}',
      ignore: 'pid,hostname,app,services,service',
    });
    return pino(options, prettyStdout);
  }
  if (destination) return pino(options, destination);
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 2048, maxWrite: 4096, periodicFlush: 1000 });
  return pino(options, stdout);
}

/** The active trace's ids for a log line (one context lookup; nothing outside a trace). A new object each time: pino merges the line into it. */
function traceIds(): object {
  return activeTraceIds() ?? {};
}

/** Writes out the buffered log lines now (before an exit). */
export function flushLogs(): void {
  try {
    stdout?.flushSync();
  } catch {
    // nothing buffered yet, or stdout is closed: nothing more can be written anyway
  }
}
