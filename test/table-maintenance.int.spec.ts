// test-time-limit: 60s
// Table maintenance against the real PostgreSQL, on a migrated database of its own: a pass
// vacuums the tables with enough dead rows and analyzes the ones changed enough (the
// server's statistics say so afterwards); one process at a time per database, the others
// skipping; `auto` follows the server's autovacuum setting; the loop works, says so once, and stops.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { capturingLogger } from './support/log-lines.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { migrate } from '../runtime/migrate.ts';
import { TableMaintenance, VACUUM_DEAD_ROWS, type TableMaintenanceMode } from '../runtime/table-maintenance.ts';

let env: TestEnv;
let db: Database;
const { log, lines } = capturingLogger({ logLevel: 'debug' }, { app: 'table-maintenance-test' });
const TABLE = 'runtime.pending_log_records';

test.before(async () => {
  env = await createTestEnv('table_maintenance');
  db = await openDatabase({ url: env.databaseUrl });
  await migrate(db, env.databaseUrl);
});

test.after(async () => {
  await db?.close();
  await env?.cleanup();
});

const maintenance = (mode: TableMaintenanceMode, intervalMs = 60_000) => new TableMaintenance({ databaseUrl: env.databaseUrl, mode, intervalMs }, log);

interface Stats { dead: number; vacuums: number; analyzes: number; changed: number }
/** The server's statistics of the table (each sql() call is a session of its own, which reports its counts as it ends). */
const statsOf = async (table: string) => (await sql<Stats>(env.databaseUrl,
  `select n_dead_tup::int as dead, vacuum_count::int as vacuums, analyze_count::int as analyzes, n_mod_since_analyze::int as changed
     from pg_stat_user_tables where schemaname || '.' || relname = $1`, [table]))[0]!;

/** Leaves `rows` dead rows in the table, as the log batcher does by taking what transactions wrote. */
async function churn(rows: number): Promise<void> {
  await sql(env.databaseUrl, `insert into ${TABLE} (app_id, records) select 'payment', '[]' from generate_series(1, $1::int)`, [rows]);
  await sql(env.databaseUrl, `delete from ${TABLE}`);
  // the statistics collector takes a session's counts a moment after it ends
  await eventually(async () => (await statsOf(TABLE)).dead >= rows, `${rows} dead rows counted`, 10_000);
}

test('a pass vacuums a table past VACUUM_DEAD_ROWS dead rows and analyzes it when enough changed', async () => {
  await churn(VACUUM_DEAD_ROWS * 2);
  const before = await statsOf(TABLE);
  const result = await maintenance('on').pass();
  assert.ok('vacuumed' in result, JSON.stringify(result));
  assert.ok(result.vacuumed.includes(TABLE), JSON.stringify(result));
  assert.ok(result.analyzed.includes(TABLE), JSON.stringify(result));
  const after = await eventually(async () => {
    const now = await statsOf(TABLE);
    return now.vacuums > before.vacuums && now.analyzes > before.analyzes && now;
  }, 'the server counts the vacuum and the analyze', 10_000);
  assert.is(after.dead, 0, 'no dead row left');
  assert.is(after.changed, 0);

  const again = await maintenance('on').pass();
  assert.ok('vacuumed' in again && !again.vacuumed.includes(TABLE) && !again.analyzed.includes(TABLE), `nothing left to do: ${JSON.stringify(again)}`);
});

test('a table analyzed less than autovacuum_naptime ago is vacuumed but not analyzed again, though enough of it changed', async () => {
  // the first test analyzed it moments ago
  await churn(VACUUM_DEAD_ROWS * 2);
  const before = await statsOf(TABLE);
  const [{ napMs }] = await sql<{ napMs: number }>(env.databaseUrl, `select extract(epoch from current_setting('autovacuum_naptime')::interval)::float8 * 1000 as "napMs"`);
  const [{ agoMs }] = await sql<{ agoMs: number }>(env.databaseUrl,
    `select extract(epoch from now() - last_analyze)::float8 * 1000 as "agoMs" from pg_stat_user_tables where schemaname || '.' || relname = $1`, [TABLE]);
  assert.ok(before.changed > 50, `enough changed to be analyzed (the table holds no live row): ${JSON.stringify(before)}`);
  assert.ok(agoMs < napMs - 5_000, `analyzed ${agoMs} ms ago, autovacuum_naptime ${napMs} ms: room for this test`);
  const result = await maintenance('on').pass();
  assert.ok('vacuumed' in result && result.vacuumed.includes(TABLE) && !result.analyzed.includes(TABLE), JSON.stringify(result));
  const after = await eventually(async () => {
    const now = await statsOf(TABLE);
    return now.vacuums > before.vacuums && now;
  }, 'the server counts the vacuum', 10_000);
  assert.is(after.analyzes, before.analyzes, 'no analyze');
});

test('a pass whose connection the server drops mid-vacuum (a restart) fails with it; the process goes on and the next pass vacuums', async () => {
  await churn(1_000_000); // a vacuum long enough to be caught at work
  const watcher = new pg.Client({ connectionString: env.databaseUrl });
  await watcher.connect();
  try {
    const passing = maintenance('on').pass().then((r) => `finished: ${JSON.stringify(r)}`, (err: Error) => err.message);
    let pid: number | undefined;
    while (pid === undefined) {
      const { rows } = await watcher.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = 'table-maintenance' and state = 'active' and query ilike 'vacuum%'`);
      pid = rows[0]?.pid;
      if (pid === undefined && (await Promise.race([passing, Promise.resolve(undefined)])) !== undefined) break;
    }
    assert.ok(pid !== undefined, `the vacuum was caught at work (${await Promise.race([passing, Promise.resolve('still running')])})`);
    await watcher.query('select pg_terminate_backend($1)', [pid]);
    // with no 'error' listener on its connection, node-postgres would end this process here
    assert.match(await passing, new RegExp(`vacuum .*of ${TABLE} failed: .*terminat`));
  } finally {
    await watcher.end();
  }
  const again = await maintenance('on').pass();
  assert.ok('vacuumed' in again && again.vacuumed.includes(TABLE), JSON.stringify(again));
});

test('one process at a time: a pass that finds the lock taken skips, and vacuums nothing', async () => {
  await churn(VACUUM_DEAD_ROWS * 2);
  const other = new pg.Client({ connectionString: env.databaseUrl });
  await other.connect();
  try {
    await other.query('select pg_advisory_lock(720215002)');
    assert.equal(await maintenance('on').pass(), { skipped: 'another process maintains' });
    assert.ok((await statsOf(TABLE)).dead >= VACUUM_DEAD_ROWS * 2, 'the dead rows are still there');
  } finally {
    await other.end(); // a session's advisory locks end with it
  }
  const result = await maintenance('on').pass();
  assert.ok('vacuumed' in result && result.vacuumed.includes(TABLE), JSON.stringify(result));
});

test('auto works exactly when the server\'s autovacuum is off; off never connects', async () => {
  const [{ autovacuum }] = await sql<{ autovacuum: string }>(env.databaseUrl, `select current_setting('autovacuum') as autovacuum`);
  await churn(VACUUM_DEAD_ROWS * 2);
  const result = await maintenance('auto').pass();
  if (autovacuum === 'on') assert.equal(result, { skipped: 'autovacuum runs' });
  else assert.ok('vacuumed' in result && result.vacuumed.includes(TABLE), `autovacuum ${autovacuum}: ${JSON.stringify(result)}`);
  assert.equal(await maintenance('off').pass(), { skipped: 'off' });
});

test('the loop passes every interval, says once why it works, and stops', async () => {
  const looping = maintenance('on', 1000);
  const told = () => lines.filter((l) => String(l.msg).startsWith('table maintenance: on'));
  const toldBefore = told().length;
  looping.start();
  try {
    for (let round = 0; round < 2; round += 1) {
      await churn(VACUUM_DEAD_ROWS * 2);
      await eventually(async () => (await statsOf(TABLE)).dead === 0, `round ${round}: the loop vacuumed the table`, 15_000);
    }
    assert.is(told().length - toldBefore, 1, 'said once, not once a pass');
  } finally {
    await looping.stop();
  }
  const after = await statsOf(TABLE);
  await churn(VACUUM_DEAD_ROWS * 2);
  await new Promise((r) => setTimeout(r, 2500)); // two intervals and more: a stopped loop leaves the rows alone
  assert.ok((await statsOf(TABLE)).vacuums === after.vacuums, 'no pass after stop()');
});

test.run();
