// Stock is store-order's, checked on the source: the only statements that write
// shop.products, shop.orders or shop.order_lines are in handlers/store-order/stock.ts,
// and no running code changes a product through the catalog entity. cancel-order
// changes stock only by calling store-order's cancelOrderRestoringStock. The check
// reads the source files (no database); the last test shows it catches a stray write.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('../', import.meta.url);
/** The code of the running system (migrations seed the catalog; bench/ and test/ set up their own data). */
const RUNNING_CODE = ['handlers', 'runtime', 'simulators'];
const STOCK_MODULE = 'handlers/store-order/stock.ts';

const WRITES_SHOP_TABLES = /\b(insert\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+shop\.(products|orders|order_lines)\b/gi;
const ENTITY_WRITES = /\.(persist|persistAndFlush|flush|nativeUpdate|nativeDelete|upsert|upsertMany|insert|insertMany|remove|assign)\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(new URL(`${dir}/`, root), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every write to store-order's tables outside its stock module, as "file: statement". */
function strayShopWrites(files: ReadonlyMap<string, string>): string[] {
  const stray: string[] = [];
  for (const [path, text] of files) {
    if (path === STOCK_MODULE) continue;
    for (const match of text.matchAll(WRITES_SHOP_TABLES)) stray.push(`${path}: ${match[0]}`);
    if (/from '[^']*store-order\/product\.ts'|from '\.\/product\.ts'/.test(text) && ENTITY_WRITES.test(text)) {
      stray.push(`${path}: writes through the Product entity (${text.match(ENTITY_WRITES)![0]})`);
    }
  }
  return stray;
}

const files = new Map(RUNNING_CODE.flatMap(sources).map((path) => [path, readFileSync(new URL(path, root), 'utf8')]));

test('only store-order\'s stock module writes stock, orders and order lines', () => {
  assert.ok(files.has(STOCK_MODULE), `${STOCK_MODULE} exists`);
  assert.ok(files.get(STOCK_MODULE)!.match(WRITES_SHOP_TABLES), 'the stock module is where the writes are (else this check checks nothing)');
  assert.equal(strayShopWrites(files), []);
});

test('cancel-order restores stock through store-order\'s stock module, and only through it', () => {
  const cancel = [...files].filter(([path]) => path.startsWith('handlers/cancel-order/'));
  assert.ok(cancel.some(([, text]) => text.includes("from '../store-order/stock.ts'") && text.includes('cancelOrdersRestoringStock(')));
  for (const [path, text] of cancel) assert.not.match(text, /shop\./, `${path} names no table of store-order's`);
});

test('the check catches a write to stock outside the stock module', () => {
  const planted = new Map([
    ['handlers/cancel-order/onPaymentFailed.ts', "await em.execute('UPDATE shop.products SET stock_on_hand = stock_on_hand + 1')"],
    ['handlers/api/listProducts.ts', "import { Product } from '../store-order/product.ts';\nem.nativeUpdate(Product, {}, { stockOnHand: 0 });"],
    [STOCK_MODULE, 'update shop.products set stock_on_hand = 0'],
  ]);
  assert.equal(strayShopWrites(planted), [
    'handlers/cancel-order/onPaymentFailed.ts: UPDATE shop.products',
    'handlers/api/listProducts.ts: writes through the Product entity (.nativeUpdate()',
  ]);
});

test.run();
