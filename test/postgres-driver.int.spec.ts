// test-time-limit: 60s
// The PostgreSQL driver's one-pass string literals (runtime/postgres-driver.ts): the same
// literal MikroORM's own platform writes, for every kind of string, and values that
// come back from the real PostgreSQL exactly as they went in, through em.execute's
// inlined parameters, as text and as jsonb.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';
import { inTransaction, openDatabase, type Database } from '../runtime/db.ts';
import { OnePassQuotingPlatform, quoteLiteral } from '../runtime/postgres-driver.ts';

let env: TestEnv;
let db: Database;

test.before(async () => {
  env = await createTestEnv('postgres_driver');
  await sql(env.databaseUrl, 'create table t (id int primary key, note text, doc jsonb)');
  db = await openDatabase({ url: env.databaseUrl, poolMax: 1 });
});

test.after(async () => {
  await db?.close(true);
  await env?.cleanup();
});

const TRICKY = [
  '', 'plain', "it's", "''", "'; drop table t; --", 'back\\slash', '\\', "\\'", "'\\", 'C:\\path\\to\\file',
  'line\nbreak\r\n', 'tab\there', 'umlauts äöü €', '漢字', 'emoji 🎉', '?', '??', '\\?', '$1', 'E\'x\'', ' E\'\'',
  JSON.stringify({ quote: '"', backslash: '\\', apostrophe: "'", nested: { s: 'a\\"b' } }),
];

/** Seeded strings over an alphabet rich in what quoting must handle. */
function randomStrings(count: number): string[] {
  const alphabet = ["'", '\\', '"', '?', 'a', 'Z', ' ', '\n', 'é', '€', '😀', 'E', '$', ';'];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
}

test('the database uses the one-pass platform, and it writes the literal MikroORM\'s own platform writes', () => {
  assert.instance(db.em.getPlatform(), OnePassQuotingPlatform);
  const base = new PostgreSqlPlatform();
  for (const s of [...TRICKY, ...randomStrings(500)]) assert.is(quoteLiteral(s), base.escape(s), JSON.stringify(s));
  // other values still go the base class's way (its method, on our configured platform)
  const ours = db.em.getPlatform();
  const baseEscape = (v: unknown) => PostgreSqlPlatform.prototype.escape.call(ours, v);
  for (const v of [new Date('2026-11-26T10:00:00.123Z'), ['a', "b'c", 'd\\e'], 12, 12n, Buffer.from('bytes')]) {
    assert.is(ours.escape(v), baseEscape(v), String(v));
  }
});

test('strings come back from PostgreSQL as they went in, as text and inside jsonb', async () => {
  const values = [...TRICKY, ...randomStrings(200)];
  await inTransaction(db, (em) => em.execute(
    `insert into t (id, note, doc) values ${values.map(() => '(?, ?, ?)').join(', ')}`,
    values.flatMap((v, i) => [i, v, JSON.stringify({ v })]),
  ));
  const rows = await sql<{ id: number; note: string; doc: { v: string } }>(env.databaseUrl, 'select id, note, doc from t order by id');
  assert.is(rows.length, values.length);
  for (const row of rows) {
    assert.is(row.note, values[row.id], `text #${row.id}`);
    assert.is(row.doc.v, values[row.id], `jsonb #${row.id}`);
  }
});

test.run();
