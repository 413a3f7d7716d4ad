// Stock is store-order's, and this module is the only code that writes it: every
// change to shop.products.stock_on_hand, and every write to the orders whose stock it
// holds (shop.orders, shop.order_lines), is a statement here (stock-ownership.unit
// checks it). What it exports:
//   for store-order's own handler — productsUnderStockLock, ordersStoredBefore, storeOrders
//                                   (a whole group of orders at once);
//   for other services, their only way to touch stock —
//                                   cancelOrdersRestoringStock (cancel-order, when payments fail).
// The rules deciding whether an order can be taken are pure (stock-rules.ts, pricing.ts);
// this module applies them to the tables.
//
// A transaction that changes stock first locks the rows of every product it will change,
// all in one statement, in product_id order (FOR UPDATE). Two such transactions wanting
// some of the same products wait for each other at that statement and never deadlock,
// while ones with no product in common run side by side: a group of cancellations no
// longer holds up the orders of other products, as one lock over all stock did. While a
// transaction holds its rows nobody else changes them, so the catalog it read stays true:
// it is read with the lock and kept up to date with what the transaction itself reserves
// and restores. An order's stock is reserved with its storing, in one statement whose
// conditional update can never drive stock_on_hand below zero (a write that bypassed the
// locks fails it, and the retry reads afresh). A group of orders costs three round trips
// (catalog with its locks, stored before, store), however many orders it holds.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Money, OrderCreated, OrderItem, OrderLine, OrderRejected } from '../../generated/types.ts';
import { uuidKey } from '../../runtime/uuid-key.ts';
import { requestedPerProduct, type Product } from './stock-rules.ts';

/** The order as store-order stores it. */
export type NewOrder = Pick<OrderCreated, 'orderId' | 'customerId' | 'email'>;

/** Per transaction holding product locks (a group of deliveries shares one): the products it locked, as they stand now. */
const heldCatalog = new WeakMap<EntityManager, Map<string, Product>>();

interface ProductRow { product_id: string; name: string; price_amount: number; currency: string; stock_on_hand: number }

/**
 * Locks the named products' rows until the transaction ends, in product_id order, and reads
 * them; returns the transaction's catalog. A transaction locks once: a later call may name
 * only products it holds (locking more afterwards, out of order, could deadlock).
 */
async function lockProducts(em: EntityManager, productIds: readonly string[]): Promise<Map<string, Product>> {
  const ids = [...new Set(productIds)];
  const held = heldCatalog.get(em);
  if (held) {
    const more = ids.filter((id) => !held.has(id));
    if (more.length > 0) throw new Error(`products ${more.join(', ')} asked for after this transaction locked its products: a transaction locks all it changes at once`);
    return held;
  }
  const rows = ids.length === 0 ? [] : await em.execute<ProductRow[]>(
    'select product_id, name, price_amount, currency, stock_on_hand from shop.products where product_id in (?) order by product_id for update', [ids],
  );
  const catalog = new Map(rows.map((r) => [r.product_id, {
    productId: r.product_id, name: r.name, priceAmount: Number(r.price_amount), currency: r.currency, stockOnHand: Number(r.stock_on_hand),
  }]));
  heldCatalog.set(em, catalog);
  return catalog;
}

/** Adds `delta` to the stock the transaction knows of (after its own statement changed it). */
function adjustHeld(em: EntityManager, productId: string, delta: number): void {
  const product = heldCatalog.get(em)?.get(productId);
  if (product) heldCatalog.get(em)!.set(productId, { ...product, stockOnHand: product.stockOnHand + delta });
}

/** The catalog entries the items name, their rows locked until the transaction ends; unknown ids are simply absent. */
export async function productsUnderStockLock(em: EntityManager, items: readonly OrderItem[]): Promise<Map<string, Product>> {
  const ids = [...new Set(items.map((i) => i.productId))];
  const catalog = await lockProducts(em, ids);
  return new Map(ids.filter((id) => catalog.has(id)).map((id) => [id, catalog.get(id)!]));
}

/**
 * The orders among these stored before, by uuidKey (an id in capitals is the same order).
 * Only this module stores orders: asked after the products are locked, the answer holds
 * for the transaction (another storing the same order holds the same products' locks). An
 * order of unknown products only locks nothing; two of those stored at once meet at the
 * insert, and storeOrders then fails the second, whose retry finds it stored.
 */
export async function ordersStoredBefore(em: EntityManager, orderIds: readonly string[]): Promise<Set<string>> {
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
 * statement. The caller holds its products' locks, has checked the quantities against the
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
      + `${result!.taken} of ${wanted.length} product(s) reserved; stored before, or stock changed under its locks`);
  }
  for (const { product_id, quantity } of wanted) adjustHeld(em, product_id, -quantity);
}

/** What a service that runs cancelOrdersRestoringStock touches (its database role's rights). */
export const cancellationAccess = { reads: ['shop.order_lines'], writes: ['shop.orders', 'shop.products'] };

/** What cancelling did: the stock it put back, or the order's status that forbade it (undefined: no such order). */
export type Cancellation =
  | { readonly cancelled: true; readonly restoredItems: OrderItem[] }
  | { readonly cancelled: false; readonly status: string | undefined };

/**
 * Cancels the PERSISTED orders among these and puts their reserved stock back, once:
 * stock is restored only by the transaction that moves an order from PERSISTED to
 * CANCELLED (the row lock makes a concurrent caller wait, then find it cancelled), so a
 * replay, or an order that was rejected or never stored, restores nothing; an order named
 * twice is cancelled by its first mention. Returns what became of each, in order. Four
 * round trips at most, however many orders.
 */
export async function cancelOrdersRestoringStock(em: EntityManager, orderIds: readonly string[]): Promise<Cancellation[]> {
  const distinct = [...new Map(orderIds.map((id) => [uuidKey(id), id])).values()];
  const moved = await em.execute<{ order_id: string }[]>(
    `update shop.orders set status = 'CANCELLED', updated_at = now() where order_id in (?) and status = 'PERSISTED' returning order_id`, [distinct],
  );
  const movedNow = new Set(moved.map((r) => uuidKey(String(r.order_id))));
  const cancelled = new Set(movedNow);
  const others = distinct.filter((id) => !movedNow.has(uuidKey(id)));
  const statuses = others.length === 0 ? [] : await em.execute<{ order_id: string; status: string }[]>(
    'select order_id, status from shop.orders where order_id in (?)', [others],
  );
  const statusOf = new Map(statuses.map((r) => [uuidKey(String(r.order_id)), r.status]));
  const restored = movedNow.size === 0 ? new Map<string, OrderItem[]>() : await restoreStock(em, distinct.filter((id) => movedNow.has(uuidKey(id))));
  return orderIds.map((id) => {
    // the first mention takes the cancellation; a later one finds the order cancelled
    if (cancelled.delete(uuidKey(id))) return { cancelled: true, restoredItems: restored.get(uuidKey(id)) ?? [] };
    return { cancelled: false, status: movedNow.has(uuidKey(id)) ? 'CANCELLED' : statusOf.get(uuidKey(id)) };
  });
}

/** Puts the orders' reserved stock back (its caller has just cancelled them); returns each order's lines, by uuidKey. */
async function restoreStock(em: EntityManager, orderIds: readonly string[]): Promise<Map<string, OrderItem[]>> {
  if (heldCatalog.has(em)) throw new Error('restoring stock after this transaction locked its products: a transaction locks all it changes at once');
  // the lines, and their products locked in product_id order, as every transaction changing stock locks them
  // (a line whose product no longer exists has no stock to restore, and is not listed)
  const lines = await em.execute<{ order_id: string; line_no: number; product_id: string; quantity: number }[]>(
    `select l.order_id, l.line_no, l.product_id, l.quantity from shop.order_lines l join shop.products p on p.product_id = l.product_id
      where l.order_id in (?) order by p.product_id for update of p`, [orderIds],
  );
  heldCatalog.set(em, new Map()); // its locks are taken: no more for this transaction
  if (lines.length > 0) {
    const perProduct = [...requestedPerProduct(lines.map((l) => ({ productId: l.product_id, quantity: Number(l.quantity) })))];
    await em.execute(
      `update shop.products p set stock_on_hand = p.stock_on_hand + r.quantity
         from jsonb_to_recordset(?::jsonb) as r(product_id text, quantity int)
        where p.product_id = r.product_id`,
      [JSON.stringify(perProduct.map(([product_id, quantity]) => ({ product_id, quantity })))],
    );
  }
  const byOrder = new Map<string, OrderItem[]>();
  for (const l of lines.toSorted((a, b) => Number(a.line_no) - Number(b.line_no))) {
    const key = uuidKey(String(l.order_id));
    byOrder.set(key, [...(byOrder.get(key) ?? []), { productId: l.product_id, quantity: Number(l.quantity) }]);
  }
  return byOrder;
}
