// cancel-order: cancels an order whose payment failed and puts its stock back, once:
// stock is restored only by the transaction that moves the order from PERSISTED to
// CANCELLED, so a second PaymentFailed (or any replay) restores nothing.
import type { EntityManager } from '@mikro-orm/postgresql';
import { orderCancelled, type CancelOrderHandlers } from '../../generated/services/cancel-order.ts';
import { restoreStock } from '../store-order/stock.ts';

export const onPaymentFailed: CancelOrderHandlers['onPaymentFailed'] = async (payment, ctx) => {
  const cancelled = await cancelOrder(ctx.em, payment.orderId);
  if (!cancelled) {
    const status = await orderStatus(ctx.em, payment.orderId);
    ctx.log.warn({ orderId: payment.orderId, status: status ?? 'unknown' },
      status ? `order is ${status}, not PERSISTED; nothing to cancel` : 'no such order; nothing to cancel');
    return [];
  }
  const restoredItems = await restoreStock(ctx.em, payment.orderId);
  return [orderCancelled({ orderId: payment.orderId, reason: 'PAYMENT_FAILED', restoredItems, cancelledAt: new Date().toISOString() })];
};

/** True when this call moved the order to CANCELLED (the row lock makes concurrent callers wait, then find it cancelled). */
async function cancelOrder(em: EntityManager, orderId: string): Promise<boolean> {
  const rows = await em.execute(
    `update shop.orders set status = 'CANCELLED', updated_at = now() where order_id = ? and status = 'PERSISTED' returning order_id`,
    [orderId],
  );
  return rows.length === 1;
}

async function orderStatus(em: EntityManager, orderId: string): Promise<string | undefined> {
  const [row] = await em.execute<{ status: string }[]>('select status from shop.orders where order_id = ?', [orderId]);
  return row?.status;
}
