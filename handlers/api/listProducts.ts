// The catalog as customers see it: every product with its price and the stock on
// hand, read from store-order's catalog (the `ProductList` of openapi.yaml).
import type { Money } from '../../generated/types.ts';
import type { Database } from '../../runtime/db.ts';

export interface ProductView {
  readonly productId: string;
  readonly name: string;
  readonly price: Money;
  readonly stockOnHand: number;
}

interface ProductRow { product_id: string; name: string; price_amount: number; currency: string; stock_on_hand: number }

export async function listProducts(db: Database): Promise<ProductView[]> {
  const rows = await db.em.fork().execute<ProductRow[]>(
    'select product_id, name, price_amount, currency, stock_on_hand from shop.products order by product_id');
  return rows.map((r) => ({
    productId: r.product_id,
    name: r.name,
    price: { amount: Number(r.price_amount), currency: r.currency.trim() },
    stockOnHand: Number(r.stock_on_hand),
  }));
}
