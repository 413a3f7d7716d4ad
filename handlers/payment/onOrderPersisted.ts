// payment: charges each persisted order once, holding no transaction while the card
// processor answers. Outside the delivery's transaction: record the attempt (a short
// statement of its own), then call the processor with the order id as idempotency
// key. Inside it: lock the order's attempt row and record the outcome with its event,
// unless another delivery recorded it first. A crash or redelivery between the two
// steps calls again with the same key and gets the same answer: never a second charge.
import { paymentFailed, paymentSucceeded, type PaymentHandlers } from '../../generated/services/payment.ts';
import type { OrderPersisted } from '../../generated/types.ts';
import type { EntityManager } from '../../runtime/db.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import { withStepOutsideTransaction, type OutsideContext, type TwoStepHandler } from '../../runtime/outside-step.ts';
import { settle } from './charge-outcome.ts';
import type { GatewayAnswer, GatewayClient, PaymentOutcome } from './gateway.ts';

/** What the step outside the transaction found: the processor's answer, or a payment already recorded. */
export type Charged =
  | { readonly kind: 'answered'; readonly paymentId: string; readonly answer: GatewayAnswer }
  | { readonly kind: 'already-final'; readonly paymentId: string; readonly status: PaymentOutcome };

type Events = Awaited<ReturnType<PaymentHandlers['onOrderPersisted']>>;

/** Step 1, no transaction held across the call: record the attempt, then ask the processor. */
export function chargeOutside(gateway: GatewayClient) {
  return async (order: OrderPersisted, ctx: OutsideContext): Promise<Charged> => {
    // One statement: the final outcome if there is one, else the attempt recorded. One payment
    // id per order, kept across every retry: the upsert returns the first one.
    const [recorded] = await ctx.db.em.fork().execute<{ final_payment_id: string | null; final_status: PaymentOutcome | null; payment_id: string | null; calls: number | null }[]>(
      `with final as (select payment_id, status from payment.payments where order_id = ?),
       attempt as (
         insert into payment.attempts (order_id, payment_id) select ?, gen_random_uuid() where not exists (select 1 from final)
         on conflict (order_id) do update set calls = payment.attempts.calls + 1, last_called_at = now()
         returning payment_id, calls)
       select f.payment_id as final_payment_id, f.status as final_status, a.payment_id, a.calls
         from (select 1) as one left join final f on true left join attempt a on true`,
      [order.orderId, order.orderId],
    );
    if (recorded!.final_payment_id) {
      return { kind: 'already-final', paymentId: recorded!.final_payment_id, status: recorded!.final_status! };
    }
    const paymentId = recorded!.payment_id!;
    const calls = Number(recorded!.calls);
    if (calls > 1) ctx.log.info({ orderId: order.orderId, paymentId, calls }, 'calling the payment gateway again with the same idempotency key');
    const answer = await gateway.charge({ orderId: order.orderId, amount: order.total, attempt: ctx.attempt });
    return { kind: 'answered', paymentId, answer };
  };
}

/** Step 2, in the delivery's transaction: record the outcome once, with its event. */
export async function recordOutcome(order: OrderPersisted, ctx: HandlerContext, charged: Charged): Promise<Events> {
  // The attempt row is the per-order lock; concurrent deliveries of one order queue here.
  await ctx.em.execute('select 1 from payment.attempts where order_id = ? for update', [order.orderId]);
  const alreadyCharged = (earlier: Awaited<ReturnType<typeof paymentOf>>) => {
    ctx.log.warn({ orderId: order.orderId, paymentId: earlier?.payment_id, status: earlier?.status }, 'order already charged; not charging again');
    return [];
  };
  if (charged.kind === 'already-final') {
    const earlier = await paymentOf(ctx.em, order.orderId);
    if (earlier) return alreadyCharged(earlier);
    // Seen as final a moment ago, gone now: only a manual deletion does this; retrying re-reads it.
    throw new Error(`payment ${charged.paymentId} of order ${order.orderId} was recorded as ${charged.status} but is missing now`);
  }
  const { paymentId, answer } = charged;
  const settlement = settle(answer);
  const inserted = await ctx.em.execute(
    `insert into payment.payments (order_id, payment_id, status, amount, currency, reason, charge_id) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (order_id) do nothing returning order_id`,
    [order.orderId, paymentId, settlement.outcome, order.total.amount, order.total.currency, settlement.reason, answer.chargeId],
  );
  if (inserted.length === 0) return alreadyCharged(await paymentOf(ctx.em, order.orderId));
  const at = new Date().toISOString();
  const { orderId, customerId, email, total: amount } = order;
  return settlement.outcome === 'SUCCEEDED'
    ? [paymentSucceeded({ orderId, paymentId, customerId, email, lines: order.lines, amount, paidAt: at })]
    : [paymentFailed({ orderId, paymentId, customerId, email, amount, reason: settlement.reason, failedAt: at })];
}

/** The handler, for this gateway: the consumer runs its `outside` step before the delivery's transaction. */
export function onOrderPersisted(gateway: GatewayClient): TwoStepHandler<OrderPersisted, Charged, Events> & PaymentHandlers['onOrderPersisted'] {
  return withStepOutsideTransaction(chargeOutside(gateway), recordOutcome);
}

async function paymentOf(em: EntityManager, orderId: string) {
  const [row] = await em.execute<{ payment_id: string; status: PaymentOutcome }[]>(
    'select payment_id, status from payment.payments where order_id = ?', [orderId],
  );
  return row;
}
