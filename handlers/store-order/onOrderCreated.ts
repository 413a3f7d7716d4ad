// store-order: stores each new order priced from the catalog and reserves the stock
// of all its lines, or of none and rejects it (unknown product, not enough stock, a
// total too large to hold).
// An order is stored once per orderId. The rules are pure (stock-rules.ts,
// pricing.ts); the catalog read and the writes are stock.ts's.
import { orderPersisted, orderRejected, type StoreOrderHandlers } from '../../generated/services/store-order.ts';
import { amountRejection, priceOrder } from './pricing.ts';
import { productsUnderStockLock, storeOrderReservingStock, storeRejectedOrder } from './stock.ts';
import { rejectionOf, type Rejection } from './stock-rules.ts';

export const onOrderCreated: StoreOrderHandlers['onOrderCreated'] = async (order, ctx) => {
  const alreadyStored = () => {
    // A second, distinct OrderCreated for the same order (the inbox already absorbs redeliveries).
    ctx.log.warn({ orderId: order.orderId }, 'order already stored; OrderCreated ignored');
    return [];
  };
  const { orderId, customerId, email } = order;
  const catalog = await productsUnderStockLock(ctx.em, order.items);

  const reject = async (rejection: Rejection) => {
    if (!(await storeRejectedOrder(ctx.em, order, rejection.reason))) return alreadyStored();
    return [orderRejected({ orderId, customerId, email, ...rejection, rejectedAt: new Date().toISOString() })];
  };
  const rejection = rejectionOf(order.items, catalog);
  if (rejection) return reject(rejection);

  const priced = priceOrder(order, catalog);
  const tooLarge = amountRejection(priced);
  if (tooLarge) return reject(tooLarge);
  const { lines, total } = priced;
  if (!(await storeOrderReservingStock(ctx.em, order, lines, total))) return alreadyStored();
  return [orderPersisted({ orderId, customerId, email, lines, total, persistedAt: new Date().toISOString() })];
};
