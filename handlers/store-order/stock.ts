// Stock is store-order's: every change to stock_on_hand goes through this module
// (cancel-order restores stock through restoreStock). Stock changes take one lock
// first, per transaction: deliveries are committed in groups, and a group of orders
// and a group of cancellations would otherwise lock products in orders of their own
// and deadlock. Products are then locked in product_id order, stock taken with one
// conditional update per product, which can never drive stock_on_hand below zero.
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

/** Transactions that already hold the stock lock (a group of deliveries shares one). */
const holdingStock = new WeakSet<EntityManager>();

/** Waits for, then holds until the transaction ends, the right to change stock. */
async function holdStock(em: EntityManager): Promise<void> {
  if (holdingStock.has(em)) return;
  await em.execute(`select pg_advisory_xact_lock(hashtextextended('shop.products stock', 0))`);
  holdingStock.add(em);
}

/** The catalog entries the items name, locked until the transaction ends; unknown ids are simply absent. */
export async function lockProducts(em: EntityManager, items: readonly OrderItem[]): Promise<Map<string, Product>> {
  await holdStock(em);
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

/**
 * Puts an order's reserved stock back (the caller decides it is owed, once); returns
 * the order's lines.
 */
export async function restoreStock(em: EntityManager, orderId: string): Promise<OrderItem[]> {
  await holdStock(em);
  const lines = await em.execute<{ product_id: string; quantity: number }[]>(
    'select product_id, quantity from shop.order_lines where order_id = ? order by line_no', [orderId],
  );
  const perProduct = new Map<string, number>();
  for (const l of lines) perProduct.set(l.product_id, (perProduct.get(l.product_id) ?? 0) + Number(l.quantity));
  for (const productId of [...perProduct.keys()].sort()) {
    await em.execute('update shop.products set stock_on_hand = stock_on_hand + ? where product_id = ?', [perProduct.get(productId), productId]);
  }
  return lines.map((l) => ({ productId: l.product_id, quantity: Number(l.quantity) }));
}
