// store-order: stores each new order priced from the catalog and reserves the stock
// of all its lines, or of none and rejects it. An order is stored once per orderId.
import type { EntityManager } from '@mikro-orm/postgresql';
import { orderPersisted, orderRejected, type StoreOrderHandlers } from '../../generated/services/store-order.ts';
import type { OrderCreated, OrderLine, OrderRejected, StockProblem } from '../../generated/types.ts';
import { PermanentError } from '../../runtime/errors.ts';
import { productsUnderStockLock, requestedPerProduct, stockShortages, storeOrderTakingStock, unknownProducts, type Product } from './stock.ts';

export const onOrderCreated: StoreOrderHandlers['onOrderCreated'] = async (order, ctx) => {
  const alreadyStored = () => {
    // A second, distinct OrderCreated for the same order (the inbox already absorbs redeliveries).
    ctx.log.warn({ orderId: order.orderId }, 'order already stored; OrderCreated ignored');
    return [];
  };
  const catalog = await productsUnderStockLock(ctx.em, order.items);
  const unknown = unknownProducts(order.items, catalog);
  if (unknown.length > 0) {
    const ids = [...new Set(unknown.map((p) => p.productId))];
    const rejected = await rejectOrder(ctx.em, order, 'UNKNOWN_PRODUCT', unknown, `${ids.join(', ')} ${ids.length === 1 ? 'is' : 'are'} not in the catalog`);
    return rejected ? [rejected] : alreadyStored();
  }
  const shortages = stockShortages(order.items, catalog);
  if (shortages.length > 0) {
    const rejected = await rejectOrder(ctx.em, order, 'INSUFFICIENT_STOCK', shortages, describeShortages(order, catalog));
    return rejected ? [rejected] : alreadyStored();
  }

  const lines = priceLines(order, catalog);
  const total = { amount: lines.reduce((sum, l) => sum + l.lineTotal.amount, 0), currency: lines[0].unitPrice.currency };
  if (!(await storeOrderTakingStock(ctx.em, order, lines, total))) return alreadyStored();
  return [orderPersisted({
    orderId: order.orderId, customerId: order.customerId, email: order.email, lines, total, persistedAt: new Date().toISOString(),
  })];
};

/** One line per item, in the order's own order; the catalog is single-currency, so a total has one currency. */
function priceLines(order: OrderCreated, catalog: ReadonlyMap<string, Product>): OrderLine[] {
  const lines = order.items.map((item) => {
    const product = catalog.get(item.productId)!;
    return {
      productId: item.productId,
      name: product.name,
      quantity: item.quantity,
      unitPrice: { amount: product.priceAmount, currency: product.currency },
      lineTotal: { amount: product.priceAmount * item.quantity, currency: product.currency },
    };
  });
  const currencies = new Set(lines.map((l) => l.unitPrice.currency));
  if (currencies.size > 1) {
    throw new PermanentError(`order ${order.orderId} mixes currencies (${[...currencies].join(', ')}); the catalog is meant to hold one`);
  }
  return lines;
}

function describeShortages(order: OrderCreated, catalog: ReadonlyMap<string, Product>): string {
  const wanted = requestedPerProduct(order.items);
  return [...wanted]
    .filter(([productId, quantity]) => quantity > catalog.get(productId)!.stockOnHand)
    .map(([productId, quantity]) => `${productId}: ${quantity} requested, ${catalog.get(productId)!.stockOnHand} in stock`)
    .join('; ');
}

/** Stores the order as REJECTED (no lines, no stock taken) and says why; undefined when the order was stored before. */
async function rejectOrder(
  em: EntityManager, order: OrderCreated, reason: OrderRejected['reason'], problems: StockProblem[], detail: string,
) {
  const stored = await em.execute(
    `insert into shop.orders (order_id, customer_id, email, status, rejection_reason) values (?, ?, ?, 'REJECTED', ?)
     on conflict (order_id) do nothing returning order_id`,
    [order.orderId, order.customerId, order.email, reason],
  );
  if (stored.length === 0) return undefined;
  return orderRejected({
    orderId: order.orderId, customerId: order.customerId, email: order.email, reason, detail, problems, rejectedAt: new Date().toISOString(),
  });
}
