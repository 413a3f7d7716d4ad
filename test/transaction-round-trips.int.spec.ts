// test-time-limit: 60s
// The client that sends BEGIN with a transaction's first statement and COMMIT with its
// last (runtime/transaction-round-trips.ts), against the real PostgreSQL: the round
// trips it saves (counted as the server's ReadyForQuery answers, one per round trip),
// and the meaning it must keep: what commits, what rolls back, what each caller is told.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sql as kysql, type Transaction } from 'kysely';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';
import { countRoundTrips, type RoundTripCounting } from './support/round-trips.ts';
import { inTransaction, openDatabase, type Database } from '../runtime/db.ts';
import { lastStatement } from '../runtime/transaction-round-trips.ts';

let env: TestEnv;
let db: Database;
let counting: RoundTripCounting;

test.before(async () => {
  env = await createTestEnv('round_trips');
  await sql(env.databaseUrl, `create table t (id int primary key, note text)`);
  // a constraint checked at commit: the only way a commit fails on its own
  await sql(env.databaseUrl, `create table d (id int primary key, t_id int references t (id) deferrable initially deferred)`);
  db = await openDatabase({ url: env.databaseUrl, poolMax: 1 });
  counting = await countRoundTrips(db);
});

test.after(async () => {
  await db?.close(true);
  await env?.cleanup();
});

const ids = async () => (await sql<{ id: number }>(env.databaseUrl, 'select id from t order by id')).map((r) => r.id);

test('a transaction of three statements takes three round trips: BEGIN goes with the first, COMMIT with the last', async () => {
  const { value, trips } = await counting(() => inTransaction(db, async (em) => {
    const inserted = await em.execute<{ id: number }[]>(`insert into t (id) values (1) returning id`);
    await em.execute(`insert into t (id) values (2)`);
    await em.execute(lastStatement(`insert into t (id) values (3)`));
    return inserted;
  }));
  assert.equal(value.map((r) => r.id), [1], 'the first statement answers with its own rows, not BEGIN\'s');
  assert.is(trips, 3);
  assert.equal(await ids(), [1, 2, 3]);
});

test('without a marked last statement the commit is a round trip of its own', async () => {
  const { trips } = await counting(() => inTransaction(db, async (em) => { await em.execute(`insert into t (id) values (4)`); }));
  assert.is(trips, 2);
  assert.equal(await ids(), [1, 2, 3, 4]);
});

test('a transaction that sends nothing costs no round trip', async () => {
  const { trips } = await counting(() => inTransaction(db, async () => 'nothing'));
  assert.is(trips, 0);
});

test('a first statement that fails rolls the transaction back and leaves the connection ready for the next', async () => {
  const failed = await inTransaction(db, async (em) => {
    await em.execute(`insert into t (id) values (1)`); // a duplicate key
  }).then(() => undefined, (err: Error) => err);
  assert.match(String(failed?.message), /duplicate key/);
  await inTransaction(db, async (em) => { await em.execute(lastStatement(`insert into t (id) values (5)`)); });
  assert.equal(await ids(), [1, 2, 3, 4, 5]);
});

test('a commit that fails fails the marked statement: its caller sees the error and nothing of the transaction stays', async () => {
  const failed = await inTransaction(db, async (em) => {
    await em.execute(`insert into t (id) values (6)`);
    await em.execute(lastStatement(`insert into d (id, t_id) values (1, 999)`)); // the deferred foreign key fails at COMMIT
  }).then(() => undefined, (err: Error) => err);
  assert.match(String(failed?.message), /foreign key/);
  assert.equal(await ids(), [1, 2, 3, 4, 5], 'row 6 was rolled back with the failed commit');
  const { trips } = await counting(() => inTransaction(db, async (em) => { await em.execute(lastStatement(`insert into t (id) values (7)`)); }));
  assert.is(trips, 1, 'the connection is out of the failed transaction: the next one is a single round trip again');
  assert.equal(await ids(), [1, 2, 3, 4, 5, 7]);
});

test('an error thrown after the work but before a statement rolls back what the held BEGIN opened', async () => {
  const failed = await inTransaction(db, async (em) => {
    await em.execute(`insert into t (id) values (8)`);
    throw new Error('the handler gave up');
  }).then(() => undefined, (err: Error) => err);
  assert.is(failed?.message, 'the handler gave up');
  assert.equal(await ids(), [1, 2, 3, 4, 5, 7]);
});

test('a statement after the marked last one is refused, not run outside the transaction', async () => {
  const failed = await inTransaction(db, async (em) => {
    await em.execute(lastStatement(`insert into t (id) values (9)`));
    await em.execute(`insert into t (id) values (10)`);
  }).then(() => undefined, (err: Error) => err);
  assert.match(String(failed?.message), /after its transaction's last/);
  assert.equal(await ids(), [1, 2, 3, 4, 5, 7, 9], 'the transaction committed with its last statement; the statement after it never ran');
  await inTransaction(db, async (em) => { await em.execute(lastStatement(`insert into t (id) values (11)`)); });
  assert.equal(await ids(), [1, 2, 3, 4, 5, 7, 9, 11], 'and the connection works on');
});

test('a query with bound parameters after a held BEGIN still runs inside the transaction', async () => {
  const failed = await inTransaction(db, async (em) => {
    // kysely sends a template's values as bound parameters: pg's extended protocol, which cannot share a message
    await kysql`insert into t (id) values (${12})`.execute(em.getTransactionContext() as Transaction<unknown>);
    throw new Error('roll it back');
  }).then(() => undefined, (err: Error) => err);
  assert.is(failed?.message, 'roll it back');
  assert.equal(await ids(), [1, 2, 3, 4, 5, 7, 9, 11], 'row 12 went with the rollback: it was inside the transaction');
});

test.run();
