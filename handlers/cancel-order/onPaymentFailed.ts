// cancel-order: cancels an order whose payment failed and puts its stock back, once.
// The order and its stock are store-order's: the cancellation is store-order's
// cancelOrderRestoringStock (store-order/stock.ts), which restores stock only on the
// move from PERSISTED to CANCELLED, so a second PaymentFailed (or any replay) restores nothing.
import { orderCancelled, type CancelOrderHandlers } from '../../generated/services/cancel-order.ts';
import { cancelOrderRestoringStock } from '../store-order/stock.ts';

export const onPaymentFailed: CancelOrderHandlers['onPaymentFailed'] = async (payment, ctx) => {
  const cancellation = await cancelOrderRestoringStock(ctx.em, payment.orderId);
  if (!cancellation.cancelled) {
    const { status } = cancellation;
    ctx.log.warn({ orderId: payment.orderId, status: status ?? 'unknown' },
      status ? `order is ${status}, not PERSISTED; nothing to cancel` : 'no such order; nothing to cancel');
    return [];
  }
  return [orderCancelled({ orderId: payment.orderId, reason: 'PAYMENT_FAILED', restoredItems: cancellation.restoredItems, cancelledAt: new Date().toISOString() })];
};
