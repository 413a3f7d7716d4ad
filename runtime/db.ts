// One MikroORM instance per process over PostgreSQL; every service's schema lives
// in the same database, each in its own PostgreSQL schema.
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from '../migrations/index.ts';
import type { EntitySchema } from '@mikro-orm/core';
import { OnePassQuotingDriver } from './postgres-driver.ts';
import { RoundTripSavingClient } from './transaction-round-trips.ts';

export type Database = MikroORM;
export type { EntityManager };

export interface DatabaseOptions {
  readonly url: string;
  readonly entities?: readonly EntitySchema<any, any>[];
  readonly poolMax?: number;
  readonly debug?: boolean;
  /** The role every session takes on (a service's: runtime/database-roles.ts); unset: the URL's user. */
  readonly role?: string | undefined;
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
    // A database that hangs instead of refusing must turn into errors (503, retries), not stuck work;
    // and no transaction waits on the outside world, so one idle for a minute is a bug the server ends.
    driverOptions: {
      Client: RoundTripSavingClient,
      connectionTimeoutMillis: 10_000, statement_timeout: 30_000, idle_in_transaction_session_timeout: 60_000,
      ...(options.role ? { options: `-c role=${options.role}` } : {}),
    },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
  });
}

/** Runs fn in one transaction on a fresh context; commits when it resolves, rolls back when it throws. */
export async function inTransaction<T>(db: Database, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  return db.em.fork().transactional(fn);
}

/** True when the database answers. */
export async function databaseReachable(db: Database): Promise<boolean> {
  try {
    await db.em.fork().execute('select 1');
    return true;
  } catch {
    return false;
  }
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
