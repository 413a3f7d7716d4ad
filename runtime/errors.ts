// The one error vocabulary of handlers and the runtime, and the one place that
// classifies a failure (runtime/failure-policy.ts turns the kind into the message's fate):
//   infrastructure — the database or the broker is unreachable: not the message's
//                    fault; the consumer pauses and the message goes back unchanged
//                    (no attempt spent);
//   unavailable    — an outside dependency (the payment gateway) is down, or another
//                    session holds a row or table lock past lock_timeout (55P03: an
//                    abandoned transaction on a half-open connection keeps its locks until
//                    the server ends it): the message waits in the retry queues with its
//                    attempts unspent, and the consumer goes on with the others;
//   permanent      — no retry can cure it (a PermanentError, such as a message
//                    without a usable envelope, bad data: SQLSTATE class 22):
//                    the dead-letter queue at once;
//   transient      — anything else: retried with growing delays, then dead-lettered.

/** A failure that no retry can cure: a broken message, a violated business invariant. */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/** A failure worth retrying (a gateway timeout, a lock conflict); the default for unknown errors. */
export class TransientError extends Error {
  override readonly name: string = 'TransientError';
}

/**
 * An outside dependency (a payment gateway) cannot answer now: an outage, not the
 * message's fault. The message waits and comes back without spending an attempt.
 */
export class DependencyUnavailableError extends TransientError {
  override readonly name = 'DependencyUnavailableError';
}

/** The broker cannot take a message right now (no channel, connection lost). */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

export type FailureKind = 'infrastructure' | 'unavailable' | 'permanent' | 'transient';

/**
 * SQLSTATEs of a database that is gone, going, or cannot take writes now, whatever the
 * message: class 08 (connection), 57P01–57P03 (shutdown, crash, starting up), 53300 (too
 * many connections), 53100 (disk full), 25006 (a read-only transaction: a standby, or a
 * primary demoted in a failover, until the new primary takes the address).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300|53100|25006)$/;
/** Socket-level failures reaching either server. */
const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** What pg, pg-pool and amqplib say when a connection or channel is gone (they set no code). */
const UNAVAILABLE_MESSAGE = [
  /^Connection terminated/, // pg: the server closed the socket, or the connect timed out
  /Client has encountered a connection error and is not queryable/, // pg: a client broken inside a transaction
  /^timeout exceeded when trying to connect/, // pg-pool: no connection came free in time
  /Client was closed and is not queryable/,
  /^Channel (closed|ended)/, // amqplib: the channel died under us
  /^Connection closed/, // amqplib
];

/** Data the database refuses as such (SQLSTATE class 22: bad text representation, out of range, too long...). */
export function isDataError(error: unknown): boolean {
  return causes(error).some((e) => typeof sqlState(e) === 'string' && sqlState(e)!.startsWith('22'));
}

/** True when the error means the database or the broker is unreachable, not that the work failed. */
export function isInfrastructure(error: unknown): boolean {
  for (const e of causes(error)) {
    // A handler that chose a kind (a payment gateway refusing connections is transient) has decided.
    if (e instanceof TransientError || e instanceof PermanentError) return false;
    if (isUnavailable(e)) return true;
  }
  return false;
}

function isUnavailable(e: unknown): boolean {
  if (e instanceof BrokerUnavailableError) return true;
  const state = sqlState(e);
  if (state && UNAVAILABLE_SQLSTATE.test(state)) return true;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE_ERRNO.has(code)) return true;
  return e instanceof Error && UNAVAILABLE_MESSAGE.some((re) => re.test(e.message));
}

/** A statement that waited past lock_timeout for a lock another session holds (SQLSTATE 55P03). */
function isLockWait(error: unknown): boolean {
  return causes(error).some((e) => sqlState(e) === '55P03');
}

export function isPermanent(error: unknown): boolean {
  return causes(error).some((e) => e instanceof PermanentError) || isDataError(error);
}

/** What the failure means for the message; infrastructure wins, since it says nothing about the message. */
export function classifyFailure(error: unknown): FailureKind {
  if (isInfrastructure(error)) return 'infrastructure';
  if (error instanceof DependencyUnavailableError || isLockWait(error)) return 'unavailable';
  if (isPermanent(error)) return 'permanent';
  return 'transient';
}

/** The error's message with its context, and the first lines of its stack. */
export function describeError(error: unknown, stackLines = 5): { message: string; stack: string } {
  if (error instanceof Error) {
    const stack = (error.stack ?? '').split('\n').slice(1, 1 + stackLines).map((l) => l.trim()).join('\n');
    return { message: `${error.name}: ${error.message}`, stack };
  }
  return { message: String(error), stack: '' };
}

/** The error and its causes (error.cause, AggregateError members), bounded. */
function causes(error: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && out.length < 10) {
    const e = queue.shift();
    if (e === undefined || e === null || out.includes(e)) continue;
    out.push(e);
    if (typeof e === 'object') {
      queue.push((e as { cause?: unknown }).cause);
      if (e instanceof AggregateError) queue.push(...e.errors);
    }
  }
  return out;
}

/** PostgreSQL's SQLSTATE: pg puts it in `code`, MikroORM's DriverException copies it (and may set `sqlState`). */
function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { sqlState: state, code } = error as { sqlState?: unknown; code?: unknown };
  const SQLSTATE = /^[0-9A-Z]{2}[0-9A-Z]{3}$/;
  if (typeof state === 'string' && SQLSTATE.test(state)) return state;
  // errno codes (EPIPE) share the shape; SQLSTATE classes start with a digit or one of few letters.
  return typeof code === 'string' && SQLSTATE.test(code) && !code.startsWith('E') ? code : undefined;
}
