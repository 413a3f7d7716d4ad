// store-order's catalog as other services may read it (the api's GET /products):
// every product with its price and the stock on hand. Only store-order changes the
// catalog (stock.ts); readers go through this module (and register `readEntities`
// with their database), never the table.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Money } from '../../generated/types.ts';
import { Product } from './product.ts';

/** The entities this module reads through: a reader's database must know them. */
export const readEntities = [Product];
/** The tables behind them: a reader's database role may read these. */
export const readTables = ['shop.products'];

export interface CatalogProduct {
  readonly productId: string;
  readonly name: string;
  readonly price: Money;
  readonly stockOnHand: number;
}

/** Every product, ordered by product id. */
export async function listProducts(em: EntityManager): Promise<CatalogProduct[]> {
  const products = await em.find(Product, {}, { orderBy: { productId: 'asc' } });
  return products.map((p) => ({
    productId: p.productId,
    name: p.name,
    // currency is char(3): PostgreSQL pads it
    price: { amount: p.priceAmount, currency: p.currency.trim() },
    stockOnHand: p.stockOnHand,
  }));
}
