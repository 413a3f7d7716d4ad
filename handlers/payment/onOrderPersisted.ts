// payment: charges each persisted order once. The order's row in payment.payments is
// the proof of the charge: a later OrderPersisted for the same order finds it and
// charges nothing; concurrent ones queue on a per-order lock.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paymentFailed, paymentSucceeded, type PaymentHandlers } from '../../generated/services/payment.ts';
import type { OrderPersisted } from '../../generated/types.ts';
import { chargeCard, DECLINE_REASON, type GatewaySettings, type PaymentOutcome } from './gateway.ts';

/** The handler, for a gateway configured with these settings. */
export function onOrderPersisted(gateway: GatewaySettings): PaymentHandlers['onOrderPersisted'] {
  return async (order, ctx) => {
    await lockOrderPayment(ctx.em, order.orderId);
    const earlier = await paymentOf(ctx.em, order.orderId);
    if (earlier) {
      ctx.log.warn({ orderId: order.orderId, paymentId: earlier.payment_id, status: earlier.status }, 'order already charged; not charging again');
      return [];
    }

    const paymentId = randomUUID();
    const outcome = await chargeCard(order.orderId, gateway);
    await recordPayment(ctx.em, order, paymentId, outcome);
    const at = new Date().toISOString();
    const { orderId, customerId, email, total: amount } = order;
    return outcome === 'SUCCEEDED'
      ? [paymentSucceeded({ orderId, paymentId, customerId, email, lines: order.lines, amount, paidAt: at })]
      : [paymentFailed({ orderId, paymentId, customerId, email, amount, reason: DECLINE_REASON, failedAt: at })];
  };
}

/** Serialises the handling of one order's payments until the transaction ends (the row may not exist yet). */
async function lockOrderPayment(em: EntityManager, orderId: string): Promise<void> {
  await em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`payment:${orderId}`]);
}

async function paymentOf(em: EntityManager, orderId: string) {
  const [row] = await em.execute<{ payment_id: string; status: PaymentOutcome }[]>(
    'select payment_id, status from payment.payments where order_id = ?', [orderId],
  );
  return row;
}

async function recordPayment(em: EntityManager, order: OrderPersisted, paymentId: string, outcome: PaymentOutcome): Promise<void> {
  await em.execute(
    'insert into payment.payments (order_id, payment_id, status, amount, currency, reason) values (?, ?, ?, ?, ?, ?)',
    [order.orderId, paymentId, outcome, order.total.amount, order.total.currency, outcome === 'FAILED' ? DECLINE_REASON : null],
  );
}
