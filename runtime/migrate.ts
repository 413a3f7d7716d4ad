// Applies pending migrations, then gives each given service's role its rights
// (runtime/database-roles.ts); safe to run twice and from several processes at once
// (they queue on an advisory lock). Run directly: `npm run migrate`.
import type { Database } from './db.ts';
import { ensureServiceRoles, type DataAccess } from './database-roles.ts';
import { connectOwn } from './own-connection.ts';

const MIGRATION_LOCK = 720_215_001;

export async function migrate(db: Database, databaseUrl: string, services: readonly { readonly name: string; readonly data?: DataAccess }[] = []): Promise<string[]> {
  const connection = await connectOwn(databaseUrl, 'migrate');
  const lock = connection.client;
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await lock.query('create schema if not exists runtime');
    const applied = await db.migrator.up();
    await ensureServiceRoles(lock, services);
    return applied.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await connection.end();
  }
}

/** Creates the database named in the URL when it does not exist yet (local runs and tests). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const connection = await connectOwn(url.toString(), 'migrate');
  const admin = connection.client;
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await admin.query(`create database "${name.replaceAll('"', '""')}"`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err; // created meanwhile by another process
    });
  } finally {
    await connection.end();
  }
}

if (import.meta.filename === process.argv[1]) {
  const { loadConfig } = await import('./config.ts');
  const { openDatabase } = await import('./db.ts');
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const db = await openDatabase({ url: config.databaseUrl, statementTimeoutMs: config.dbStatementTimeoutMs });
  try {
    const applied = await migrate(db, config.databaseUrl);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}
