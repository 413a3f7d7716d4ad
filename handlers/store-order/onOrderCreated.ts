// store-order: stores each new order priced from the catalog and reserves the stock
// of all its lines, or of none and rejects it (unknown product, not enough stock, a
// total too large to hold). An order is stored once per orderId. The rules are pure
// (stock-rules.ts, pricing.ts); the catalog read and the writes are stock.ts's.
// The orders of a group commit are decided together (runtime/group-step.ts), one after
// the other as if each came alone, each against the stock the ones before it left,
// and stored in one statement: a group costs the same few round trips as one order.
import { orderPersisted, orderRejected, type StoreOrderEvent } from '../../generated/services/store-order.ts';
import type { OrderCreated } from '../../generated/types.ts';
import { handledInGroups } from '../../runtime/group-step.ts';
import { uuidKey } from '../../runtime/uuid-key.ts';
import { amountRejection, priceOrder, type PricedOrder } from './pricing.ts';
import { ordersStoredBefore, productsUnderStockLock, storeOrders, type DecidedOrder } from './stock.ts';
import { rejectionOf, type Product, type Rejection } from './stock-rules.ts';

export const onOrderCreated = handledInGroups<OrderCreated, readonly StoreOrderEvent[]>(async (items) => {
  const em = items[0]!.ctx.em;
  const catalog = new Map(await productsUnderStockLock(em, items.flatMap((i) => i.message.items)));
  const stored = await ordersStoredBefore(em, items.map((i) => i.message.orderId));
  const decided: DecidedOrder[] = [];
  const events = items.map(({ message: order, ctx }) => {
    const { orderId, customerId, email } = order;
    if (stored.has(uuidKey(orderId))) {
      // A second, distinct OrderCreated for the same order, its id in whatever case (the inbox already absorbs redeliveries).
      ctx.log.warn({ orderId }, 'order already stored; OrderCreated ignored');
      return [];
    }
    stored.add(uuidKey(orderId));
    const decision = decide(order, catalog);
    if ('rejection' in decision) {
      const { rejection } = decision;
      decided.push({ order, status: 'REJECTED', reason: rejection.reason });
      return [orderRejected({ orderId, customerId, email, ...rejection, rejectedAt: new Date().toISOString() })];
    }
    const { lines, total } = decision.priced;
    decided.push({ order, status: 'PERSISTED', lines, total });
    reserve(catalog, lines);
    return [orderPersisted({ orderId, customerId, email, lines, total, persistedAt: new Date().toISOString() })];
  });
  await storeOrders(em, decided);
  return events;
});

/** Why the catalog cannot take the order, or the order priced (each rule once: pricing is on the hot path). */
function decide(order: OrderCreated, catalog: ReadonlyMap<string, Product>): { rejection: Rejection } | { priced: PricedOrder } {
  const rejection = rejectionOf(order.items, catalog);
  if (rejection) return { rejection };
  const priced = priceOrder(order, catalog);
  const tooLarge = amountRejection(priced);
  return tooLarge ? { rejection: tooLarge } : { priced };
}

/** The stock the next order of the group sees: what this one took is gone. */
function reserve(catalog: Map<string, Product>, lines: readonly { productId: string; quantity: number }[]): void {
  for (const { productId, quantity } of lines) {
    const product = catalog.get(productId)!;
    catalog.set(productId, { ...product, stockOnHand: product.stockOnHand - quantity });
  }
}
