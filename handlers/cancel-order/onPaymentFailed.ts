// cancel-order: cancels an order whose payment failed and puts its stock back, once.
// The order and its stock are store-order's: the cancellation is store-order's
// cancelOrdersRestoringStock (store-order/stock.ts), which restores stock only on the
// move from PERSISTED to CANCELLED, so a second PaymentFailed (or any replay) restores
// nothing. The failed payments of a group commit are cancelled together
// (runtime/group-step.ts): their products are locked at once, in one statement, as every
// transaction that changes stock locks them.
import { orderCancelled, type CancelOrderEvent } from '../../generated/services/cancel-order.ts';
import type { PaymentFailed } from '../../generated/types.ts';
import { handledInGroups } from '../../runtime/group-step.ts';
import { cancelOrdersRestoringStock } from '../store-order/stock.ts';

export const onPaymentFailed = handledInGroups<PaymentFailed, readonly CancelOrderEvent[]>(async (items) => {
  const cancellations = await cancelOrdersRestoringStock(items[0]!.ctx.em, items.map((i) => i.message.orderId));
  return items.map(({ message: payment, ctx }, k) => {
    const cancellation = cancellations[k]!;
    if (!cancellation.cancelled) {
      const { status } = cancellation;
      ctx.log.warn({ orderId: payment.orderId, status: status ?? 'unknown' },
        status ? `order is ${status}, not PERSISTED; nothing to cancel` : 'no such order; nothing to cancel');
      return [];
    }
    return [orderCancelled({ orderId: payment.orderId, reason: 'PAYMENT_FAILED', restoredItems: cancellation.restoredItems, cancelledAt: new Date().toISOString() })];
  });
});
