// Asks PostgreSQL, over a connection of its own, what the sessions behind long-unanswered
// queries are doing. A query still waiting is being worked on, or its answer was lost on the
// way: when the server says the session has sat idle for a while, the answer was sent and
// never arrived, and the connection is half-open (a failover, a network fault, a path that
// went silent). Nothing else would say so before the query's deadline
// (runtime/answer-deadline.ts: the statement timeout plus a margin, 35 s by default), and the
// session's transaction, open on a server that was never told, keeps its locks until the
// server ends it as idle (twice the statement timeout): other work waits on them meanwhile.
//
// Such a session is ended on the server (pg_terminate_backend: its transaction rolls back and
// its locks go at once) and its connection on ours, as soon as the server answers a new
// connection. A connection its deadline ended is ended on the server too, on the first
// inspection that reaches it. A session is known by its process id and a moment it was
// alive, since the server reuses process ids; the inspection connects as the login the
// sessions belong to (without their role), which may see and end them. An inspection runs only while there is something to ask
// about, one at a time per server and login, every suspect in one statement: a silence
// across a pool costs one connection attempt a second, not one per stuck query.
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A server session: its process id, and a moment it was alive, on the server's clock. Only
 * one live session has a process id; one that took it over later started after that moment.
 */
export interface Session {
  readonly pid: number;
  readonly aliveAt: string;
}

/** A query unanswered this long has its session asked about. */
export const ASK_AFTER_MS = 2000;
/** A session idle this long while its client waits for an answer: the answer was lost. */
const IDLE_PROOF_MS = 1000;
/** How often the suspects are asked about again while the server does not answer, or says they are busy. */
const INSPECT_EVERY_MS = 1000;
/** An inspection (connect and query) given up after this long; the next one tries again. */
const INSPECTION_TIMEOUT_MS = 2000;

const INSPECTION = `
  select s.pid, pg_terminate_backend(s.pid) as ended
    from unnest($1::int[], $2::text[], $3::bool[]) as s(pid, alive_at, abandoned)
    join pg_stat_activity a on a.pid = s.pid and a.backend_start <= s.alive_at::timestamptz
   where s.abandoned or (a.state like 'idle%' and a.state_change < clock_timestamp() - $4::int * interval '1 millisecond')`;

interface Watched {
  readonly session: Session;
  readonly lost: () => void;
}

interface Abandoned {
  readonly session: Session;
  /** After this the server has ended it itself (idle in transaction), or it holds nothing. */
  readonly until: number;
}

export class SessionInspector {
  readonly #config: pg.ClientConfig;
  readonly #watched = new Map<number, Watched>();
  readonly #abandoned = new Map<number, Abandoned>();
  #running = false;

  /** `config`: how the sessions' own connections reach the server (their role setting is not taken: a session is its login's). */
  constructor(config: pg.ClientConfig) {
    this.#config = {
      ...config, options: undefined,
      connectionTimeoutMillis: INSPECTION_TIMEOUT_MS, query_timeout: INSPECTION_TIMEOUT_MS, statement_timeout: INSPECTION_TIMEOUT_MS,
    };
  }

  /**
   * Asks about `session` until unwatched: `lost` is called, once, if the server says it sat
   * idle while its client waited (the session has been ended on the server by then).
   */
  watch(session: Session, lost: () => void): () => void {
    const watched = { session, lost };
    this.#watched.set(session.pid, watched);
    this.#start();
    return () => {
      if (this.#watched.get(session.pid) === watched) this.#watched.delete(session.pid);
    };
  }

  /** The client gave up on `session` (its connection is closed): end it on the server once it answers, for up to `forMs`. */
  abandon(session: Session, forMs: number): void {
    this.#watched.delete(session.pid);
    this.#abandoned.set(session.pid, { session, until: Date.now() + forMs });
    this.#start();
  }

  #start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      while (this.#watched.size > 0 || this.#abandoned.size > 0) {
        await sleep(INSPECT_EVERY_MS);
        // A failed inspection (the server does not answer new connections either) decides
        // nothing: each query's deadline still bounds its wait, and the next one asks again.
        await this.#inspect().catch(() => undefined);
      }
    } finally {
      this.#running = false;
    }
  }

  async #inspect(): Promise<void> {
    const now = Date.now();
    for (const [pid, a] of this.#abandoned) if (a.until <= now) this.#abandoned.delete(pid);
    const watched = [...this.#watched.values()];
    const abandoned = [...this.#abandoned.values()];
    if (watched.length + abandoned.length === 0) return;
    const sessions = [...watched.map((w) => ({ ...w.session, abandoned: false })), ...abandoned.map((a) => ({ ...a.session, abandoned: true }))];
    const client = new pg.Client(this.#config);
    client.on('error', () => undefined); // a connection lost after its query: it is ended below either way
    let ended: Set<number>;
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number; ended: boolean }>(INSPECTION, [
        sessions.map((s) => s.pid), sessions.map((s) => s.aliveAt), sessions.map((s) => s.abandoned), IDLE_PROOF_MS,
      ]);
      ended = new Set(rows.filter((r) => r.ended).map((r) => r.pid));
    } finally {
      client.end().catch(() => undefined);
    }
    // Asked about and answered: an abandoned session is ended now, or was already gone.
    for (const a of abandoned) if (this.#abandoned.get(a.session.pid) === a) this.#abandoned.delete(a.session.pid);
    // An answer that arrived while the inspection ran is read before the verdict acts
    // (setImmediate runs after the pending socket reads): a query answered is unwatched.
    setImmediate(() => {
      for (const w of watched) {
        if (!ended.has(w.session.pid) || this.#watched.get(w.session.pid) !== w) continue;
        this.#watched.delete(w.session.pid);
        w.lost();
      }
    });
  }
}

const inspectors = new Map<string, SessionInspector>();

/** The one inspector for a server and login (`key`: its user, host, port and database), reached as `config` says. */
export function inspectorFor(key: string, config: pg.ClientConfig): SessionInspector {
  let inspector = inspectors.get(key);
  if (!inspector) inspectors.set(key, inspector = new SessionInspector(config));
  return inspector;
}
