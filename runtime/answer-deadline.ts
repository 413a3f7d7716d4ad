// A pg client that gives up on a server that has stopped answering. PostgreSQL ends a slow
// statement itself (statement_timeout) and a restarted server closes its connections, but
// a server whose host died, or a connection that a failover or a network fault left
// half-open, answers nothing at all: a query would wait for ever (Linux gives up on
// unacknowledged data after about 15 minutes, and never on an idle connection), holding its
// pool connection, its transaction's deliveries and, with all of a pool's connections stuck,
// the service. A query still unanswered a margin after the statement timeout its session
// was given ends its connection: the caller gets an error that says so (infrastructure,
// runtime/errors.ts: the deliveries go back with no attempt spent), the pool drops the
// connection, and the work is done again on a new one. A commit that was on its way is
// ambiguous, as with any lost connection: the inbox makes its redelivery a no-op.
// Most such waits end well before the deadline: a query unanswered for a while has its
// session asked about over another connection (runtime/session-inspector.ts), and one whose
// server says it sat idle, its answer lost on the way, ends then, its session with it. A
// connection with no statement timeout (a connection of its own: table maintenance, the
// migrations) has no deadline, since its statements may run for minutes, but is asked about
// all the same: a busy session is left to run, a lost answer ends the wait.
import pg from 'pg';
import { ASK_AFTER_MS, inspectorFor, type Session, type SessionInspector } from './session-inspector.ts';

/** How long past the server's own statement timeout a query may go unanswered: the server's time to report, the network's. */
export const ANSWER_MARGIN_MS = 5000;

/** No answer from PostgreSQL on a connection within its deadline; the connection was closed. */
export class DatabaseNotAnsweringError extends Error {
  override readonly name = 'DatabaseNotAnsweringError';
  /** A connection that timed out, as the socket layer would say it (runtime/errors.ts counts it as infrastructure). */
  readonly code = 'ETIMEDOUT';
}

/** The first word of a statement (select, insert, begin...): which step waited, without the values MikroORM inlines. */
function verbOf(text: unknown): string {
  const sql = typeof text === 'string' ? text : (text as { text?: unknown } | null)?.text;
  return typeof sql === 'string' ? (sql.replace(/\/\*.*?\*\//gs, '').trim().split(/[\s;]+/, 1)[0] ?? '').toLowerCase() : 'query';
}

export class AnswerDeadlineClient extends pg.Client {
  /** statement_timeout plus the margin; undefined when the session has no statement timeout. */
  readonly #deadlineMs: number | undefined;
  /** Asks the server about a query unanswered for a while (runtime/session-inspector.ts). */
  readonly #inspector: SessionInspector | undefined;
  /** This connection's server session, learnt once connected. */
  #session: Session | undefined;

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const statementTimeout = typeof config === 'object' ? Number(config.statement_timeout ?? 0) : 0;
    this.#deadlineMs = statementTimeout > 0 ? statementTimeout + ANSWER_MARGIN_MS : undefined;
    const options = typeof config === 'string' ? { connectionString: config } : config;
    if (options) this.#inspector = inspectorFor(`${this.user}@${this.host}:${this.port}/${this.database}`, options);
  }

  // Once connected, the session is learnt in one more round trip (per connection, not per
  // query): what the inspector asks the server about. pg's two forms: a promise, or a callback
  // called with (error) or (null, client).
  //
  // Until the caller has the connection and its own 'error' listener (the pool attaches one
  // in its callback), a connection lost here must not be an 'error' event nobody listens to,
  // which would end the process: a terminated backend's notice can come in the same read as
  // the answer that completes the connect (the fault suite's terminated backends did that).
  // It is kept and fails the connect instead, and the connection is closed.
  override connect(callback?: (...outcome: any[]) => void): any {
    let lost: Error | undefined;
    const keep = (err: Error) => { lost ??= err; };
    this.on('error', keep);
    const connected = (async () => {
      try {
        await super.connect();
        if (this.#inspector) {
          // its own pg_stat_activity row may hide its start time from the session's role: the statement's time will do
          const { rows: [row] } = await super.query<Session>('select pg_backend_pid() as pid, now()::text as "aliveAt"');
          this.#session = row;
        }
        if (lost) throw lost;
      } catch (err) {
        this.end().catch(() => undefined);
        throw err;
      }
      return this;
    })();
    // Microtasks all: no socket read can come between this and the caller's own continuation.
    // A connection that failed keeps the listener: it is thrown away, and may yet report its end.
    const handedOver = () => { this.off('error', keep); };
    if (!callback) return connected.then((client) => { handedOver(); return client; });
    connected.then(() => {
      try {
        callback(null, this);
      } finally {
        handedOver();
      }
    }, (err: Error) => callback(err));
    return undefined;
  }

  // Only the promise form is bounded: the ORM's and the runtime's queries all use it. The wait
  // counts from the call, so a query queued behind its connection's previous one would count that
  // one's time too; the runtime sends a connection's statements one after another.
  override query(...args: any[]): any {
    const pending = (super.query as (...a: any[]) => any)(...args);
    const deadlineMs = this.#deadlineMs;
    const session = this.#session;
    const inspector = session && (deadlineMs === undefined || deadlineMs > ASK_AFTER_MS) ? this.#inspector : undefined;
    if ((deadlineMs === undefined && !inspector) || !(pending instanceof Promise)) return pending;
    let timer: NodeJS.Timeout | undefined;
    let unwatch: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      const giveUp = (error: Error) => {
        // end() marks the client as ending at once, so the pool drops it rather than hand it to the next
        // caller, and with a query in flight it closes the socket instead of waiting for a goodbye; every
        // query of the connection fails ("Connection terminated"). Its settling says nothing more than this error.
        this.end().catch(() => undefined);
        reject(error);
      };
      const atDeadline = (deadlineMs: number) => {
        // the server may not know the connection is gone: its session, and its locks, are ended once it answers
        if (inspector) inspector.abandon(session!, 2 * deadlineMs);
        giveUp(new DatabaseNotAnsweringError(
          `PostgreSQL did not answer a ${verbOf(args[0])} within ${deadlineMs} ms (the statement timeout plus ${ANSWER_MARGIN_MS} ms): the connection is closed, its transaction is abandoned`));
      };
      if (!inspector) {
        timer = setTimeout(atDeadline, deadlineMs!, deadlineMs!);
        return;
      }
      // One timer a query on the hot path: the deadline's is set once the session is asked about.
      timer = setTimeout(() => {
        const sent = Date.now() - ASK_AFTER_MS;
        unwatch = inspector.watch(session!, () => giveUp(new DatabaseNotAnsweringError(
          `PostgreSQL answered a ${verbOf(args[0])} whose answer never arrived (${Date.now() - sent} ms after it was sent, the server said its session had sat idle): the connection was half-open; it is closed, and its session ended on the server, its transaction rolled back`)));
        if (deadlineMs !== undefined) timer = setTimeout(atDeadline, deadlineMs - ASK_AFTER_MS, deadlineMs);
      }, ASK_AFTER_MS);
    });
    // race settles on the first; the query's own later failure is then read by race and goes nowhere
    return Promise.race([pending, expired]).finally(() => {
      clearTimeout(timer);
      unwatch?.();
    });
  }
}
