// Stock is store-order's, and this module is the only code that writes it: every
// change to shop.products.stock_on_hand, and every write to the orders whose stock it
// holds (shop.orders, shop.order_lines), is a statement here (stock-ownership.unit
// checks it). What it exports:
//   for store-order's own handler — productsUnderStockLock, ordersStoredBefore, storeOrders
//                                   (a whole group of orders at once);
//   for other services, their only way to touch stock —
//                                   cancelOrderRestoringStock (cancel-order, when a payment fails).
// The rules deciding whether an order can be taken are pure (stock-rules.ts, pricing.ts);
// this module applies them to the tables.
//
// A transaction that changes stock takes one lock first (deliveries are committed in
// groups, and a group of orders and a group of cancellations locking products in
// orders of their own would deadlock). While it holds that lock nobody else changes
// stock, so the catalog it read stays true: it is read once per transaction and kept
// up to date with what the transaction itself reserves and restores. An order's stock
// is reserved with its storing, in one statement whose conditional update can never
// drive stock_on_hand below zero (a write that bypassed the lock fails it, and the
// retry reads afresh). A group of orders costs four round trips (lock, catalog, stored
// before, store), however many orders it holds.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Money, OrderCreated, OrderItem, OrderLine, OrderRejected } from '../../generated/types.ts';
import { uuidKey } from '../../runtime/uuid-key.ts';
import { requestedPerProduct, type Product } from './stock-rules.ts';

/** The order as store-order stores it. */
export type NewOrder = Pick<OrderCreated, 'orderId' | 'customerId' | 'email'>;

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

/**
 * The orders among these stored before, by uuidKey (an id in capitals is the same order):
 * only this module stores orders, and under the stock lock, so the answer holds for the transaction.
 */
export async function ordersStoredBefore(em: EntityManager, orderIds: readonly string[]): Promise<Set<string>> {
  await holdStock(em);
  if (orderIds.length === 0) return new Set();
  const rows = await em.execute<{ order_id: string }[]>('select order_id from shop.orders where order_id in (?)', [[...new Set(orderIds)]]);
  return new Set(rows.map((r) => uuidKey(String(r.order_id))));
}

/** An order as store-order decided it: priced and reserving its stock, or rejected. */
export type DecidedOrder =
  | { readonly order: NewOrder; readonly status: 'PERSISTED'; readonly lines: readonly OrderLine[]; readonly total: Money }
  | { readonly order: NewOrder; readonly status: 'REJECTED'; readonly reason: OrderRejected['reason'] };

/**
 * Stores the orders, each PERSISTED one reserving the stock of its lines, in one
 * statement. The caller holds the stock lock, has checked the quantities against the
 * stock as it stood before each order (stock-rules.ts) and left out the orders stored
 * before (ordersStoredBefore): so every order must be stored and every product's update
 * must hit its row; if one does not, the whole transaction is abandoned.
 */
export async function storeOrders(em: EntityManager, decided: readonly DecidedOrder[]): Promise<void> {
  if (decided.length === 0) return;
  const persisted = decided.filter((d) => d.status === 'PERSISTED');
  const wanted = [...requestedPerProduct(persisted.flatMap((d) => d.lines))].map(([product_id, quantity]) => ({ product_id, quantity }));
  const [result] = await em.execute<{ stored: number; taken: number }[]>(
    `with stored as (
       insert into shop.orders (order_id, customer_id, email, status, total_amount, currency, rejection_reason)
       select o.order_id, o.customer_id, o.email, o.status, o.total_amount, o.currency, o.rejection_reason
         from jsonb_to_recordset(?::jsonb) as o(order_id uuid, customer_id uuid, email text, status text, total_amount int, currency text, rejection_reason text)
       on conflict (order_id) do nothing returning order_id),
     lines as (
       insert into shop.order_lines (order_id, line_no, product_id, name, quantity, unit_price, line_total)
       select l.order_id, l.line_no, l.product_id, l.name, l.quantity, l.unit_price, l.line_total
         from jsonb_to_recordset(?::jsonb) as l(order_id uuid, line_no int, product_id text, name text, quantity int, unit_price int, line_total int)
        where l.order_id in (select order_id from stored)),
     taken as (
       update shop.products p set stock_on_hand = p.stock_on_hand - w.quantity
         from jsonb_to_recordset(?::jsonb) as w(product_id text, quantity int)
        where p.product_id = w.product_id and p.stock_on_hand >= w.quantity
       returning p.product_id)
     select (select count(*) from stored)::int as stored, (select count(*) from taken)::int as taken`,
    [
      JSON.stringify(decided.map((d) => ({
        order_id: d.order.orderId, customer_id: d.order.customerId, email: d.order.email, status: d.status,
        total_amount: d.status === 'PERSISTED' ? d.total.amount : null, currency: d.status === 'PERSISTED' ? d.total.currency : null,
        rejection_reason: d.status === 'REJECTED' ? d.reason : null,
      }))),
      JSON.stringify(persisted.flatMap((d) => d.lines.map((l, i) => ({
        order_id: d.order.orderId, line_no: i + 1, product_id: l.productId, name: l.name, quantity: l.quantity, unit_price: l.unitPrice.amount, line_total: l.lineTotal.amount,
      })))),
      JSON.stringify(wanted),
    ],
  );
  if (result!.stored !== decided.length || result!.taken !== wanted.length) {
    throw new Error(`storing ${decided.length} order(s) (${decided.map((d) => d.order.orderId).join(', ')}): ${result!.stored} stored, `
      + `${result!.taken} of ${wanted.length} product(s) reserved; stored before, or stock changed under its lock`);
  }
  for (const { product_id, quantity } of wanted) adjustHeld(em, product_id, -quantity);
}

/** What a service that runs cancelOrderRestoringStock touches (its database role's rights). */
export const cancellationAccess = { reads: ['shop.order_lines'], writes: ['shop.orders', 'shop.products'] };

/** What cancelling did: the stock it put back, or the order's status that forbade it (undefined: no such order). */
export type Cancellation =
  | { readonly cancelled: true; readonly restoredItems: OrderItem[] }
  | { readonly cancelled: false; readonly status: string | undefined };

/**
 * Cancels a PERSISTED order and puts its reserved stock back, once: stock is restored
 * only by the transaction that moves the order from PERSISTED to CANCELLED (the row
 * lock makes a concurrent caller wait, then find it cancelled), so a replay, or an
 * order that was rejected or never stored, restores nothing.
 */
export async function cancelOrderRestoringStock(em: EntityManager, orderId: string): Promise<Cancellation> {
  const moved = await em.execute(
    `update shop.orders set status = 'CANCELLED', updated_at = now() where order_id = ? and status = 'PERSISTED' returning order_id`,
    [orderId],
  );
  if (moved.length === 0) {
    const [row] = await em.execute<{ status: string }[]>('select status from shop.orders where order_id = ?', [orderId]);
    return { cancelled: false, status: row?.status };
  }
  return { cancelled: true, restoredItems: await restoreStock(em, orderId) };
}

/** Puts an order's reserved stock back (its caller has just cancelled the order); returns the order's lines. */
async function restoreStock(em: EntityManager, orderId: string): Promise<OrderItem[]> {
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
