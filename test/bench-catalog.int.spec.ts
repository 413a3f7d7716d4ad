// The bench's catalog (bench/support/catalog.ts), on a migrated database: every product
// stocked, the seed catalog as it is, its first N, or the seed and bench products up to N,
// each a product the contract accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { benchProductId, stockCatalog } from '../bench/support/catalog.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { migrate } from '../runtime/migrate.ts';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';

let env: TestEnv;
let db: Database;
let seed: string[];

/** openapi.yaml's ProductId. */
const PRODUCT_ID = /^[A-Z][A-Z0-9-]{1,31}$/;

const catalog = () => sql<{ product_id: string; price_amount: number; currency: string; stock_on_hand: number }>(
  env.databaseUrl, 'select product_id, price_amount, currency, stock_on_hand from shop.products order by product_id');

test.before(async () => {
  env = await createTestEnv('bench_catalog');
  db = await openDatabase({ url: env.databaseUrl, poolMax: 2 });
  await migrate(db, env.databaseUrl);
  seed = (await catalog()).map((p) => p.product_id);
});

test.after(async () => {
  await db?.close();
  await env?.cleanup();
});

test('unset: the seed catalog as it is, every product stocked past any run', async () => {
  assert.ok(seed.length >= 2, `the seed catalog has ${seed.length} products`);
  assert.equal(await stockCatalog(env.databaseUrl, undefined), seed);
  for (const p of await catalog()) assert.is(p.stock_on_hand, 1_000_000_000, p.product_id);
});

test('fewer than the seed: its first N, and nothing added', async () => {
  assert.equal(await stockCatalog(env.databaseUrl, 1), seed.slice(0, 1));
  assert.equal((await catalog()).map((p) => p.product_id), seed);
});

test('more than the seed: the seed and bench products up to N, priced in its currency and stocked; asked again, the same', async () => {
  const wanted = seed.length + 300;
  const ids = await stockCatalog(env.databaseUrl, wanted);
  assert.is(ids.length, wanted);
  assert.equal(ids.slice(0, seed.length), seed);
  assert.is(ids.at(-1), benchProductId(300));
  assert.is(new Set(ids).size, wanted, 'no id twice');
  const rows = await catalog();
  assert.equal(rows.map((p) => p.product_id).sort(), [...ids].sort());
  const currency = rows.find((p) => p.product_id === seed[0])!.currency;
  for (const p of rows) {
    assert.ok(PRODUCT_ID.test(p.product_id), `${p.product_id} is a ProductId`);
    assert.is(p.currency, currency, p.product_id);
    assert.ok(p.price_amount > 0, `${p.product_id} has a price`);
    assert.is(p.stock_on_hand, 1_000_000_000, p.product_id);
  }
  assert.equal(await stockCatalog(env.databaseUrl, wanted), ids);
  assert.is((await catalog()).length, wanted);
});

test.run();
