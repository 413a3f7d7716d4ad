// RFC 9457 problem details, the one shape of every HTTP error this system answers,
// and the rules deciding which failures are the infrastructure's (503, retry later)
// and which are bad data the database refused (400, never a 500).
import { isDataError } from '../errors.ts';

export { isDataError };

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const PROBLEM_TYPE_BASE = 'https://shop.example/problems/';

/** One invalid field: a JSON pointer into the request body, or `/name` of a parameter or header. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

/** The URI naming a kind of problem, e.g. `order-not-found`. */
export function problemType(kind: string): string {
  return `${PROBLEM_TYPE_BASE}${kind}`;
}

/**
 * A problem a route answers with. Thrown (or returned through the error handler),
 * it becomes a problem+json reply; `instance` is filled in from the request.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly kind: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(init: {
    status: number;
    kind: string;
    title: string;
    detail?: string;
    extensions?: Record<string, unknown>;
    headers?: Record<string, string>;
    /** The failure behind the problem, for the log (never shown to the client). */
    cause?: unknown;
  }) {
    super(init.detail ?? init.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.kind = init.kind;
    this.title = init.title;
    this.detail = init.detail;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
  }

  toProblem(instance: string): ProblemDetails {
    return {
      type: problemType(this.kind),
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      instance,
      ...this.extensions,
    };
  }
}

/** Seconds a client is told to wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5;

export function serviceUnavailable(detail: string, cause?: unknown): HttpProblem {
  return new HttpProblem({
    cause,
    status: 503,
    kind: 'service-unavailable',
    title: 'Service unavailable',
    detail,
    headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
  });
}

/** The limit one client ran into, as a route's rate limit states it. */
export interface RateLimitContext {
  /** Requests allowed per window. */
  readonly max: number;
  readonly windowMs: number;
  /** Milliseconds until the client's window resets. */
  readonly ttlMs: number;
}

/** The 429 of a client over its limit: names the limit and when to retry (the headers are set by the limiter). */
export function tooManyRequests(what: string, limit: RateLimitContext): HttpProblem {
  const retryAfterSeconds = Math.max(0, Math.ceil(limit.ttlMs / 1000));
  const windowSeconds = limit.windowMs / 1000;
  return new HttpProblem({
    status: 429,
    kind: 'rate-limited',
    title: `Too many ${what}`,
    detail: `At most ${limit.max} ${what} per ${windowSeconds} seconds from one client; retry in ${retryAfterSeconds} seconds.`,
    extensions: { limit: limit.max, windowSeconds, retryAfterSeconds },
  });
}

// Node socket errors and pg client messages meaning "the database cannot be reached".
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'ENETDOWN',
]);
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /connection (?:is )?closed/i,
  /server closed the connection/i,
];
// PostgreSQL SQLSTATEs that a retry may cure: connection exceptions (08), insufficient
// resources (53), operator intervention (57P01-57P05), serialization failure,
// deadlock, lock not available, query cancelled (statement timeout), a read-only
// transaction (25006: a failover's window, when the address reaches a standby).
const TRANSIENT_SQLSTATE = /^(?:08...|53...|57P0[1-5]|40001|40P01|55P03|57014|25006)$/;
const TRANSIENT_ORM_ERRORS = new Set(['ConnectionException', 'DeadlockException', 'LockWaitTimeoutException']);

/**
 * True when the failure lies in the infrastructure (database unreachable or
 * overloaded, transaction aborted by a conflict) rather than in the request or the
 * code: the request was not carried out and may be retried as it is.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const e = current as Error & { code?: unknown; sqlState?: unknown; errors?: unknown };
    if (TRANSIENT_ORM_ERRORS.has(e.name)) return true;
    for (const code of [e.code, e.sqlState]) {
      if (typeof code === 'string' && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATE.test(code))) return true;
    }
    if (CONNECTION_MESSAGES.some((re) => re.test(e.message))) return true;
    // AggregateError (e.g. a failed connect to both ::1 and 127.0.0.1)
    if (Array.isArray(e.errors) && e.errors.some((inner) => isInfrastructureFailure(inner))) return true;
    current = e.cause;
  }
  return false;
}

/**
 * The 400 for a request whose data passed validation but was refused by the database
 * (SQLSTATE class 22: invalid text representation, numeric out of range, string too
 * long...). The database's own message names the type and value, never a table.
 */
export function dataErrorProblem(error: unknown): HttpProblem {
  const refused = databaseMessage(error) ?? 'a value is not valid for the database';
  const message = refused.length > 200 ? `${refused.slice(0, 200)}...` : refused;
  return new HttpProblem({
    cause: error,
    status: 400,
    kind: 'validation-error',
    title: 'Request validation failed',
    detail: `A value in the request was refused as data: ${message}.`,
    // the database does not say which field; '' is the whole request
    extensions: { errors: [{ field: '', message }] },
  });
}

/** The message of the first error in the cause chain that carries a class-22 SQLSTATE. */
function databaseMessage(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const e = current as Error & { code?: unknown; sqlState?: unknown };
    if ([e.code, e.sqlState].some((code) => typeof code === 'string' && code.startsWith('22'))) return e.message;
    current = e.cause;
  }
  return undefined;
}
