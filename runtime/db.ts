// One MikroORM instance per process over PostgreSQL; every service's schema lives
// in the same database, each in its own PostgreSQL schema.
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from '../migrations/index.ts';
import type { EntitySchema } from '@mikro-orm/core';
import { STATEMENT_TIMEOUT_MS } from './config.ts';
import { OnePassQuotingDriver } from './postgres-driver.ts';
import { RoundTripSavingClient } from './transaction-round-trips.ts';
import { REACHABLE_WITHIN_MS } from './readiness.ts';
import { within } from './within.ts';

export type Database = MikroORM;
export type { EntityManager };

export interface DatabaseOptions {
  readonly url: string;
  readonly entities?: readonly EntitySchema<any, any>[];
  readonly poolMax?: number;
  readonly debug?: boolean;
  /** The role every session takes on (a service's: runtime/database-roles.ts); unset: the URL's user. */
  readonly role?: string | undefined;
  /** The server ends a statement running longer (DB_STATEMENT_TIMEOUT_MS); one unanswered this plus a margin ends its connection (runtime/answer-deadline.ts). */
  readonly statementTimeoutMs?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return MikroORM.init({
    driver: OnePassQuotingDriver,
    clientUrl: options.url,
    // the runtime's own tables (inbox, outbox) are reached by SQL only: no entities
    entities: [...(options.entities ?? [])],
    extensions: [Migrator],
    migrations: { migrationsList: [...migrationsList], tableName: 'runtime.migrations', transactional: true, allOrNothing: true, silent: true, snapshot: false },
    pool: { min: 0, max: options.poolMax ?? 10 },
    // A database that hangs instead of refusing must turn into errors (503, retries), not stuck work:
    // a connect gives up after 10 s, the server ends a statement at statement_timeout, and the
    // client closes a connection whose server stopped answering altogether (the client class,
    // runtime/answer-deadline.ts). Such a connection's server may not learn that it was left
    // (a half-open connection): its transaction keeps its locks until the server ends it as
    // idle (twice the statement timeout; no transaction of ours waits on the outside world that
    // long). A statement waiting on a lock gives up at half the statement timeout, with 55P03,
    // which runtime/errors.ts counts as not the message's fault.
    driverOptions: {
      Client: RoundTripSavingClient,
      connectionTimeoutMillis: 10_000, ...sessionTimeouts(options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS),
      ...(options.role ? { options: `-c role=${options.role}` } : {}),
    },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
  });
}

/** The pools' session limits, all from the statement timeout (DB_STATEMENT_TIMEOUT_MS). */
function sessionTimeouts(statementTimeoutMs: number) {
  return {
    statement_timeout: statementTimeoutMs,
    lock_timeout: Math.max(1, Math.floor(statementTimeoutMs / 2)),
    idle_in_transaction_session_timeout: 2 * statementTimeoutMs,
  };
}

/** Runs fn in one transaction on a fresh context; commits when it resolves, rolls back when it throws. */
export async function inTransaction<T>(db: Database, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return db.em.fork().transactional(fn);
}

/**
 * True when the database answers within `withinMs` and takes writes. Every service writes
 * (its inbox at least), so a read-only database (a standby, or a primary demoted in a
 * failover) is no more use to it than a missing one. A probe that waits longer is left to
 * its connection's deadline (runtime/answer-deadline.ts): the answer is false now.
 */
export async function databaseReachable(db: Database, withinMs = REACHABLE_WITHIN_MS): Promise<boolean> {
  const answered = db.em.fork().execute<{ writable: boolean }[]>(`select current_setting('transaction_read_only') = 'off' as writable`)
    .then(([row]) => row?.writable === true, () => false);
  return within(answered, withinMs, false);
}

/** The counters of a database's pg pool (read from memory, no query). */
export interface PoolStats {
  /** Connections open (checked out or idle). */
  readonly total: number;
  readonly idle: number;
  /** Requests waiting for a connection. */
  readonly waiting: number;
  readonly max: number;
}

/** Reads a database's pool counters; the pool is looked up once, so later reads are synchronous. */
export async function poolReader(db: Database): Promise<() => PoolStats> {
  const pool = await db.em.getConnection().getNativeClient();
  return () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 0 });
}
