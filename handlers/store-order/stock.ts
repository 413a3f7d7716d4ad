// The catalog as store-order sees it: products locked in product_id order (byte
// order, the same as cancel-order's, so concurrent orders and cancellations queue
// up instead of deadlocking) and stock taken with one conditional update per
// product, which can never drive stock_on_hand below zero.
import type { QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderItem, StockProblem } from '../../generated/types.ts';

export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly priceAmount: number;
  readonly currency: string;
  readonly stockOnHand: number;
}

/** The catalog entries the items name, locked until the transaction ends; unknown ids are simply absent. */
export async function lockProducts(em: EntityManager, items: readonly OrderItem[]): Promise<Map<string, Product>> {
  const ids = [...new Set(items.map((i) => i.productId))];
  const rows = await em.execute<{ product_id: string; name: string; price_amount: number; currency: string; stock_on_hand: number }[]>(
    'select product_id, name, price_amount, currency, stock_on_hand from shop.products where product_id in (?) order by product_id collate "C" for update',
    [ids],
  );
  return new Map(rows.map((r) => [r.product_id, {
    productId: r.product_id, name: r.name, priceAmount: Number(r.price_amount), currency: r.currency, stockOnHand: Number(r.stock_on_hand),
  }]));
}

/** Quantity wanted per product: a product on several lines counts once, with their sum. */
export function requestedPerProduct(items: readonly OrderItem[]): Map<string, number> {
  const wanted = new Map<string, number>();
  for (const item of items) wanted.set(item.productId, (wanted.get(item.productId) ?? 0) + item.quantity);
  return wanted;
}

/** The lines naming no catalog product. */
export function unknownProducts(items: readonly OrderItem[], catalog: ReadonlyMap<string, Product>): StockProblem[] {
  return items.filter((i) => !catalog.has(i.productId)).map((i) => ({ productId: i.productId, requested: i.quantity, available: null }));
}

/** The lines of every product whose stock cannot cover all its lines together. */
export function stockShortages(items: readonly OrderItem[], catalog: ReadonlyMap<string, Product>): StockProblem[] {
  const wanted = requestedPerProduct(items);
  return items
    .filter((i) => wanted.get(i.productId)! > catalog.get(i.productId)!.stockOnHand)
    .map((i) => ({ productId: i.productId, requested: i.quantity, available: catalog.get(i.productId)!.stockOnHand }));
}

/**
 * Takes the stock of every product, in product_id order. The caller holds the row
 * locks and has checked the quantities, so each update must hit its row; if one
 * does not, the whole transaction is abandoned (nothing is reserved).
 */
export async function reserveStock(em: EntityManager, items: readonly OrderItem[]): Promise<void> {
  const wanted = requestedPerProduct(items);
  for (const productId of [...wanted.keys()].sort()) {
    const quantity = wanted.get(productId)!;
    const result = await em.execute<QueryResult>(
      'update shop.products set stock_on_hand = stock_on_hand - ? where product_id = ? and stock_on_hand >= ?',
      [quantity, productId, quantity],
      'run',
    );
    if (result.affectedRows !== 1) {
      throw new Error(`stock of ${productId} changed under its lock: ${quantity} could not be reserved`);
    }
  }
}
