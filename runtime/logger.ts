// Logs (pino) carrying the service, and per message its messageId and correlationId:
// JSON lines for machines, or pretty coloured lines for a person at a terminal
// (LOG_FORMAT=pretty|json; by default pretty exactly when stdout is a TTY).
// JSON lines are written to stdout in chunks of whole lines rather than one write each:
// at info every handled message logs a line, and a write per line was a tenth of the
// process's time. A chunk is at most 4 KB (PIPE_BUF), so the threads of one process
// never interleave inside a line; it goes out at 2 KB, or after a second, or at
// flushLogs(). A process that is killed loses at most one chunk. Pretty lines are
// written at once: a terminal reads them as they come, and speed matters less there.
// When stdout goes away (its reader is gone: EPIPE) the JSON lines are dropped from then
// on; when its reader stops reading, they wait in memory (up to 16 MB, newer lines are
// dropped beyond) and go out if it reads again.
// Either way writing never blocks the process, stderr says once that lines may be lost,
// and flushLogs() gives up after 2 s, so an exit (a shutdown) always ends: lines stdout
// did not take by then are lost. Pretty lines to a reader that is gone are dropped too
// (pino-pretty's own EPIPE guard); to a reader that stops, they wait like any terminal's.
// A line written within a trace (a delivery, a request, an e-mail send) carries its
// trace_id and span_id (runtime/tracing.ts); a line outside any carries neither.
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { SonicBoom } from 'sonic-boom';
import type { Config } from './config.ts';
import { activeTraceIds, traceIdsOf, type Span } from './tracing.ts';

export type { Logger };

/** How long flushLogs() waits for stdout to take the buffered lines before an exit goes on without them. */
const FLUSH_LIMIT_MS = 2000;
/** How long a write may keep meeting a full pipe (EAGAIN: its reader reads nothing) before it fails. */
const STALLED_READER_LIMIT_MS = 2000;
/** How much a stuck stdout may leave waiting in memory; newer lines are dropped beyond it. */
const MAX_UNWRITTEN_BYTES = 16 * 2 ** 20;

let stdout: SonicBoom | undefined;
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
  stdout ??= chunkedStdout();
  return pino(options, stdout);
}

/** stdout, written in chunks of whole lines off the main thread; a reader that is gone or stuck never blocks the process. */
function chunkedStdout(): SonicBoom {
  // Opening process.stdout makes a pipe's fd non-blocking (Node does so for a pipe it opens
  // as a stream): a write into a pipe nobody reads then fails with EAGAIN instead of
  // blocking a thread-pool thread for ever, and with it process.exit, which waits for that
  // thread. stderr likewise, for the notices below.
  // A worker thread's process.stdout is a stream into the main thread, with no fd of its
  // own: the thread writes to fd 1 itself, made non-blocking by the main thread's logger,
  // which runtime/main.ts creates before it starts the thread.
  const fd = isMainThread ? process.stdout.fd : 1;
  void process.stderr;
  let stalledSince: number | undefined;
  const stream = pino.destination({
    dest: fd, sync: false, minLength: 2048, maxWrite: 4096, periodicFlush: 1000, maxLength: MAX_UNWRITTEN_BYTES,
    // sonic-boom retries a write into a full pipe every 100 ms for ever by default; give up
    // once the reader has taken nothing for a while (the chunk stays buffered and goes out
    // with the next write if the reader comes back)
    retryEAGAIN: () => {
      stalledSince ??= Date.now();
      return Date.now() - stalledSince < STALLED_READER_LIMIT_MS;
    },
  });
  stream.on('write', (bytes: number) => {
    if (bytes > 0) stalledSince = undefined;
  });
  // pino's own listener turns the stream into no-ops on EPIPE and passes any other error
  // on; without a listener of ours that error would crash the process
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') tellOnStderrOnce('EPIPE', 'stdout\'s reader has gone (EPIPE): log lines are dropped from now on');
    else if (err.code === 'EAGAIN') tellOnStderrOnce('EAGAIN', `stdout's reader has taken nothing for ${STALLED_READER_LIMIT_MS} ms: log lines wait in memory, and are lost if the process exits first`);
    else tellOnStderrOnce('error', `writing log lines to stdout failed (${err.code ?? err.message}): they wait in memory, and are lost if the process exits first`);
  });
  stream.on('drop', () => {
    tellOnStderrOnce('drop', `stdout has not taken ${MAX_UNWRITTEN_BYTES / 2 ** 20} MB of log lines: further lines are dropped until it does`);
  });
  return stream;
}

/** Loggers that speak for one span whatever span is active where they are called (loggerOfSpan). */
const spanOfLogger = new WeakMap<Logger, Span>();

/**
 * A child of `log` whose lines carry `span`'s trace_id and span_id wherever it is called: a
 * delivery's logger in a group step, which runs in the span of the group's first delivery.
 */
export function loggerOfSpan(log: Logger, bindings: Record<string, unknown>, span: Span | undefined): Logger {
  const child = log.child(bindings);
  if (span) spanOfLogger.set(child, span);
  return child;
}

/** The trace ids for a log line: its logger's own span's, else the active one's (nothing outside a trace). A new object each time: pino merges the line into it. */
function traceIds(_line: object, _level: number, logger: Logger): object {
  const own = spanOfLogger.get(logger);
  return (own ? traceIdsOf(own) : activeTraceIds()) ?? {};
}

/**
 * Writes out the buffered log lines before an exit, waiting at most `withinMs` for stdout
 * to take them; resolves either way (what stdout did not take by then is lost).
 * The last thing to call before process.exit(): lines logged after it may not be written.
 */
export async function flushLogs(withinMs = FLUSH_LIMIT_MS): Promise<void> {
  const stream = stdout;
  if (!stream) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), withinMs);
  });
  try {
    // twice: a flush asked for while a chunk is being written ends when that chunk is out,
    // and leaves what came in meanwhile in the buffer
    for (let round = 0; round < 2; round += 1) {
      if (await Promise.race([flushed(stream), timedOut])) {
        tellOnStderrOnce('flush timed out', `stdout did not take the last log lines within ${withinMs} ms: they are lost`);
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    // pino flushes the stream synchronously at process exit, and sonic-boom's flushSync
    // retries a write that fails with EPIPE (or into a pipe nobody reads) every 100 ms for
    // ever, blocking the exit; everything that could be written has been by now (pino does
    // the same on EPIPE)
    stream.flushSync = () => undefined;
  }
}

/** Resolves false once the stream has written what it buffered, or failed to (its 'error' listener tells which). */
function flushed(stream: SonicBoom): Promise<false> {
  return new Promise((resolve) => {
    // the callback's error is an fsync's on a pipe or terminal (EINVAL), or a write's, which the 'error' listener reports
    stream.flush(() => resolve(false));
  });
}

const told = new Set<string>();

/**
 * One line on stderr the first time `what` happens. Best effort and never throwing: stderr
 * is non-blocking when it is a pipe (see chunkedStdout), so a stderr as stuck as stdout
 * fails at once (EAGAIN) rather than blocking; and when it is gone too, nobody is left to tell.
 */
function tellOnStderrOnce(what: string, line: string): void {
  if (told.has(what)) return;
  told.add(what);
  try {
    writeSync(2, `logger: ${line}\n`);
  } catch {
    // see above: nowhere left to say it
  }
}
