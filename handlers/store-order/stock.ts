// Stock is store-order's: every change to stock_on_hand goes through this module
// (cancel-order restores stock through restoreStock). A transaction that changes
// stock takes one lock first (deliveries are committed in groups, and a group of
// orders and a group of cancellations locking products in orders of their own would
// deadlock). While it holds that lock nobody else changes stock, so the catalog it
// read stays true: it is read once per transaction and kept up to date with what
// the transaction itself takes and restores. An order's stock is taken with its
// storing, in one statement whose conditional update can never drive stock_on_hand
// below zero (a write that bypassed the lock fails it, and the retry reads afresh).
// An order costs one round trip; its group adds two.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Money, OrderCreated, OrderItem, OrderLine, StockProblem } from '../../generated/types.ts';

/** The order as store-order stores it. */
export type NewOrder = Pick<OrderCreated, 'orderId' | 'customerId' | 'email'>;

export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly priceAmount: number;
  readonly currency: string;
  readonly stockOnHand: number;
}

/** Per transaction holding the stock lock (a group of deliveries shares one): the products it has read, as they stand now. */
const heldCatalog = new WeakMap<EntityManager, Map<string, Product>>();

/** Waits for, then holds until the transaction ends, the right to change stock; returns the transaction's catalog. */
async function holdStock(em: EntityManager): Promise<Map<string, Product>> {
  let catalog = heldCatalog.get(em);
  if (!catalog) {
    await em.execute(`select pg_advisory_xact_lock(hashtextextended('shop.products stock', 0))`);
    catalog = new Map();
    heldCatalog.set(em, catalog);
  }
  return catalog;
}

/** Adds `delta` to the stock the transaction knows of (after its own statement changed it). */
function adjustHeld(em: EntityManager, productId: string, delta: number): void {
  const product = heldCatalog.get(em)?.get(productId);
  if (product) heldCatalog.get(em)!.set(productId, { ...product, stockOnHand: product.stockOnHand + delta });
}

/** The catalog entries the items name, with the stock lock held until the transaction ends; unknown ids are simply absent. */
export async function productsUnderStockLock(em: EntityManager, items: readonly OrderItem[]): Promise<Map<string, Product>> {
  const catalog = await holdStock(em);
  const ids = [...new Set(items.map((i) => i.productId))];
  const missing = ids.filter((id) => !catalog.has(id));
  if (missing.length > 0) {
    const rows = await em.execute<{ product_id: string; name: string; price_amount: number; currency: string; stock_on_hand: number }[]>(
      'select product_id, name, price_amount, currency, stock_on_hand from shop.products where product_id in (?)', [missing],
    );
    for (const r of rows) {
      catalog.set(r.product_id, {
        productId: r.product_id, name: r.name, priceAmount: Number(r.price_amount), currency: r.currency, stockOnHand: Number(r.stock_on_hand),
      });
    }
  }
  return new Map(ids.filter((id) => catalog.has(id)).map((id) => [id, catalog.get(id)!]));
}

/** Quantity wanted per product: a product on several lines counts once, with their sum. */
export function requestedPerProduct(items: readonly { productId: string; quantity: number }[]): Map<string, number> {
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
 * Stores a priced order as PERSISTED and takes the stock of its lines, in one
 * statement; false (and nothing taken) when the order was stored before. The caller
 * holds the product locks and has checked the quantities, so every product's update
 * must hit its row; if one does not, the whole transaction is abandoned.
 */
export async function storeOrderTakingStock(em: EntityManager, order: NewOrder, lines: readonly OrderLine[], total: Money): Promise<boolean> {
  const wanted = [...requestedPerProduct(lines)].map(([product_id, quantity]) => ({ product_id, quantity }));
  const [result] = await em.execute<{ stored: number; taken: number }[]>(
    `with stored as (
       insert into shop.orders (order_id, customer_id, email, status, total_amount, currency)
       values (?, ?, ?, 'PERSISTED', ?, ?) on conflict (order_id) do nothing returning order_id),
     lines as (
       insert into shop.order_lines (order_id, line_no, product_id, name, quantity, unit_price, line_total)
       select s.order_id, l.line_no, l.product_id, l.name, l.quantity, l.unit_price, l.line_total
         from stored s, jsonb_to_recordset(?::jsonb) as l(line_no int, product_id text, name text, quantity int, unit_price int, line_total int)),
     taken as (
       update shop.products p set stock_on_hand = p.stock_on_hand - w.quantity
         from stored s, jsonb_to_recordset(?::jsonb) as w(product_id text, quantity int)
        where p.product_id = w.product_id and p.stock_on_hand >= w.quantity
       returning p.product_id)
     select (select count(*) from stored)::int as stored, (select count(*) from taken)::int as taken`,
    [
      order.orderId, order.customerId, order.email, total.amount, total.currency,
      JSON.stringify(lines.map((l, i) => ({
        line_no: i + 1, product_id: l.productId, name: l.name, quantity: l.quantity, unit_price: l.unitPrice.amount, line_total: l.lineTotal.amount,
      }))),
      JSON.stringify(wanted),
    ],
  );
  if (result!.stored === 0) return false;
  if (result!.taken !== wanted.length) {
    throw new Error(`order ${order.orderId}: stock changed under its lock; ${wanted.length - result!.taken} of ${wanted.length} product(s) could not be reserved`);
  }
  for (const { product_id, quantity } of wanted) adjustHeld(em, product_id, -quantity);
  return true;
}

/**
 * Puts an order's reserved stock back (the caller decides it is owed, once); returns
 * the order's lines.
 */
export async function restoreStock(em: EntityManager, orderId: string): Promise<OrderItem[]> {
  await holdStock(em);
  const lines = await em.execute<{ product_id: string; quantity: number }[]>(
    `with lines as (select line_no, product_id, quantity from shop.order_lines where order_id = ?),
     restored as (
       update shop.products p set stock_on_hand = p.stock_on_hand + l.quantity
         from (select product_id, sum(quantity) as quantity from lines group by product_id) l
        where p.product_id = l.product_id)
     select product_id, quantity from lines order by line_no`,
    [orderId],
  );
  const restored = lines.map((l) => ({ productId: l.product_id, quantity: Number(l.quantity) }));
  for (const { productId, quantity } of restored) adjustHeld(em, productId, quantity);
  return restored;
}
