// The catalog as customers see it: every product with its price and the stock on
// hand, read through store-order's catalog entity (the `ProductList` of openapi.yaml).
import type { Money } from '../../generated/types.ts';
import type { Database } from '../../runtime/db.ts';
import { Product } from '../store-order/product.ts';

export interface ProductView {
  readonly productId: string;
  readonly name: string;
  readonly price: Money;
  readonly stockOnHand: number;
}

export async function listProducts(db: Database): Promise<ProductView[]> {
  const products = await db.em.fork().find(Product, {}, { orderBy: { productId: 'asc' } });
  return products.map((p) => ({
    productId: p.productId,
    name: p.name,
    price: { amount: p.priceAmount, currency: p.currency.trim() },
    stockOnHand: p.stockOnHand,
  }));
}
