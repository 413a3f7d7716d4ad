// The catalog a bench run's orders draw on. Every product is stocked so that no order is
// rejected for stock: the run measures the pipeline, not a sell-out. How many products
// there are decides how often orders share a stock row, which store-order and
// cancel-order lock (handlers/store-order/stock.ts): the seed catalog has five.
import { sql } from '../../test/support/env.ts';

const STOCK = 1_000_000_000;
const BENCH_PREFIX = 'BENCH-';

/** The id of the n-th bench product (from 1): within openapi's ProductId. */
export function benchProductId(n: number): string {
  return `${BENCH_PREFIX}${String(n).padStart(5, '0')}`;
}

/**
 * Stocks the catalog and returns the ids the orders draw on: the seed catalog as it is
 * (`products` unset), its first `products`, or all of it and as many bench products as
 * make `products` (priced in the seed's currency; a second call stocks the same ones).
 */
export async function stockCatalog(databaseUrl: string, products: number | undefined): Promise<string[]> {
  await sql(databaseUrl, 'update shop.products set stock_on_hand = $1', [STOCK]);
  const seed = await sql<{ product_id: string; currency: string }>(databaseUrl,
    `select product_id, currency from shop.products where product_id not like '${BENCH_PREFIX}%' order by product_id`);
  const ids = seed.map((p) => p.product_id);
  if (products === undefined) return ids;
  if (products <= ids.length) return ids.slice(0, products);
  const added = Array.from({ length: products - ids.length }, (_, i) => benchProductId(i + 1));
  await sql(databaseUrl,
    `insert into shop.products (product_id, name, price_amount, currency, stock_on_hand)
     select id, 'Bench product ' || id, 500 + (n % 40) * 250, $2, $3 from unnest($1::text[]) with ordinality as t(id, n)
     on conflict (product_id) do update set stock_on_hand = excluded.stock_on_hand`,
    [added, seed[0]?.currency ?? 'EUR', STOCK]);
  return [...ids, ...added];
}
