// payment: charges each persisted order once, holding no transaction while the card
// processor answers. Outside the delivery's transaction: record the attempt (one short
// statement for all the charges starting together), then call the processor with the
// order id as idempotency key. Inside it (a group commit's orders at once): lock the
// orders' attempt rows and record each outcome with its event, unless another delivery
// recorded it first. A crash or redelivery between the two
// steps calls again with the same key and gets the same answer: never a second charge.
// An order id in capitals is the same order: ids from the message are matched with the
// rows PostgreSQL returns (lower-cased) through uuidKey; events keep the id as it came.
import { paymentFailed, paymentSucceeded, type PaymentHandlers } from '../../generated/services/payment.ts';
import type { OrderPersisted } from '../../generated/types.ts';
import type { Database } from '../../runtime/db.ts';
import { GroupCommit } from '../../runtime/group-commit.ts';
import type { GroupHandler, GroupItem } from '../../runtime/group-step.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import { preparedOf, withStepOutsideTransaction, type OutsideContext, type TwoStepHandler } from '../../runtime/outside-step.ts';
import { uuidKey } from '../../runtime/uuid-key.ts';
import { settle } from './charge-outcome.ts';
import type { GatewayAnswer, GatewayClient, PaymentOutcome } from './gateway.ts';

/** What the step outside the transaction found: the processor's answer, or a payment already recorded. */
export type Charged =
  | { readonly kind: 'answered'; readonly paymentId: string; readonly answer: GatewayAnswer }
  | { readonly kind: 'already-final'; readonly paymentId: string; readonly status: PaymentOutcome };

type Events = Awaited<ReturnType<PaymentHandlers['onOrderPersisted']>>;

/** What the attempt statement found for an order: its final payment, or the attempt it recorded now. */
interface Recorded {
  readonly final_payment_id: string | null;
  readonly final_status: PaymentOutcome | null;
  readonly payment_id: string | null;
  readonly calls: number | null;
}

/**
 * One statement for the attempts of every charge starting together (group commit,
 * runtime/group-commit.ts): per order, the final outcome if there is one, else the
 * attempt recorded. One payment id per order, kept across every retry: the upsert
 * returns the first one.
 */
async function recordAttempts(db: Database, orderIds: readonly string[]): Promise<Recorded[]> {
  // An order twice in one statement would be upserted twice (refused): each order once, counting its calls.
  const rows = await db.em.fork().execute<(Recorded & { order_id: string })[]>(
    `with o as (select order_id, count(*)::int as n from unnest(?::uuid[]) as order_id group by order_id),
     final as (select p.order_id, p.payment_id, p.status from payment.payments p join o using (order_id)),
     attempt as (
       insert into payment.attempts (order_id, payment_id, calls)
       select o.order_id, gen_random_uuid(), o.n from o where not exists (select 1 from final f where f.order_id = o.order_id)
       on conflict (order_id) do update set calls = payment.attempts.calls + excluded.calls, last_called_at = now()
       returning order_id, payment_id, calls)
     select o.order_id, f.payment_id as final_payment_id, f.status as final_status, a.payment_id, a.calls
       from o left join final f using (order_id) left join attempt a using (order_id)`,
    [`{${orderIds.join(',')}}`],
  );
  const byOrder = new Map(rows.map((r) => [uuidKey(String(r.order_id)), r]));
  return orderIds.map((id) => {
    const row = byOrder.get(uuidKey(id));
    if (!row) throw new Error(`recording the payment attempt of order ${id} returned no row`);
    return row;
  });
}

/** Step 1, no transaction held across the call: record the attempt (with the others starting now), then ask the processor. */
export function chargeOutside(gateway: GatewayClient) {
  let attempts: GroupCommit<string, Recorded> | undefined;
  return async (order: OrderPersisted, ctx: OutsideContext): Promise<Charged> => {
    attempts ??= new GroupCommit({ size: 128, lanes: 2, commit: (orderIds) => recordAttempts(ctx.db, orderIds) });
    const recorded = await attempts.submit(order.orderId);
    if (recorded.final_payment_id) {
      return { kind: 'already-final', paymentId: recorded.final_payment_id, status: recorded.final_status! };
    }
    const paymentId = recorded.payment_id!;
    const calls = Number(recorded.calls);
    if (calls > 1) ctx.log.info({ orderId: order.orderId, paymentId, calls }, 'calling the payment gateway again with the same idempotency key');
    const answer = await gateway.charge({ orderId: order.orderId, amount: order.total, attempt: ctx.attempt });
    return { kind: 'answered', paymentId, answer };
  };
}

interface ToRecord {
  readonly order: OrderPersisted;
  readonly ctx: HandlerContext;
  readonly charged: Charged;
}

const isAnswered = (item: ToRecord): item is ToRecord & { charged: Extract<Charged, { kind: 'answered' }> } => item.charged.kind === 'answered';

/**
 * Step 2, in the delivery's transaction, for a group of deliveries at once: record each
 * order's outcome once, with its event. Three statements a group: lock the orders'
 * attempt rows, insert the outcomes, read what others recorded first.
 */
export async function recordOutcomes(items: readonly ToRecord[]): Promise<Events[]> {
  const em = items[0]!.ctx.em;
  const orderIds = [...new Set(items.map((i) => uuidKey(i.order.orderId)))].sort();
  // The attempt rows are the per-order locks (in one order, so two groups never deadlock); concurrent deliveries of an order queue here.
  await em.execute('select 1 from payment.attempts where order_id in (?) order by order_id for update', [orderIds]);
  // each order's first answer is the one recorded
  const seen = new Set<string>();
  const toInsert = items.filter(isAnswered).filter(({ order }) => {
    const key = uuidKey(order.orderId);
    return !seen.has(key) && Boolean(seen.add(key));
  });
  const inserted = new Set<string>();
  const settlements = new Map(toInsert.map(({ order, charged }) => [uuidKey(order.orderId), settle(charged.answer)]));
  if (toInsert.length) {
    const values: unknown[] = [];
    for (const { order, charged } of toInsert) {
      const { paymentId, answer } = charged;
      const settlement = settlements.get(uuidKey(order.orderId))!;
      values.push(order.orderId, paymentId, settlement.outcome, order.total.amount, order.total.currency, settlement.reason, answer.chargeId);
    }
    const rows = await em.execute<{ order_id: string }[]>(
      `insert into payment.payments (order_id, payment_id, status, amount, currency, reason, charge_id)
       values ${toInsert.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')} on conflict (order_id) do nothing returning order_id`,
      values,
    );
    for (const r of rows) inserted.add(uuidKey(String(r.order_id)));
  }
  const others = orderIds.filter((id) => !inserted.has(id));
  const earlier = new Map(others.length ? (await em.execute<{ order_id: string; payment_id: string; status: PaymentOutcome }[]>(
    'select order_id, payment_id, status from payment.payments where order_id in (?)', [others],
  )).map((r) => [uuidKey(String(r.order_id)), r]) : []);
  const recorded = new Set<string>();
  return items.map(({ order, ctx, charged }) => {
    const { orderId } = order;
    const key = uuidKey(order.orderId);
    if (inserted.has(key) && !recorded.has(key)) {
      recorded.add(key);
      return eventOf(order, charged.paymentId, settlements.get(key)!);
    }
    const payment = earlier.get(key);
    if (!payment && !inserted.has(key)) {
      // Seen as final a moment ago, gone now: only a manual deletion does this; retrying re-reads it.
      throw new Error(`payment ${charged.paymentId} of order ${orderId} was recorded as ${charged.kind === 'already-final' ? charged.status : 'answered'} but is missing now`);
    }
    ctx.log.warn({ orderId, paymentId: payment?.payment_id ?? charged.paymentId, status: payment?.status }, 'order already charged; not charging again');
    return [];
  });
}

function eventOf(order: OrderPersisted, paymentId: string, settlement: ReturnType<typeof settle>): Events {
  const at = new Date().toISOString();
  const { orderId, customerId, email, total: amount } = order;
  return settlement.outcome === 'SUCCEEDED'
    ? [paymentSucceeded({ orderId, paymentId, customerId, email, lines: order.lines, amount, paidAt: at })]
    : [paymentFailed({ orderId, paymentId, customerId, email, amount, reason: settlement.reason, failedAt: at })];
}

/**
 * The handler, for this gateway: the consumer runs its `outside` step before the
 * delivery's transaction, and records a group's outcomes at once (its group step).
 */
export function onOrderPersisted(gateway: GatewayClient): TwoStepHandler<OrderPersisted, Charged, Events> & GroupHandler<OrderPersisted, Events> & PaymentHandlers['onOrderPersisted'] {
  const group = async (items: readonly GroupItem<OrderPersisted>[]) =>
    recordOutcomes(items.map(({ message, ctx }) => ({ order: message, ctx, charged: preparedOf<Charged>(ctx) })));
  const twoSteps = withStepOutsideTransaction(chargeOutside(gateway), async (order: OrderPersisted, ctx: HandlerContext, charged: Charged) =>
    (await recordOutcomes([{ order, ctx, charged }]))[0]!);
  return Object.assign(twoSteps, { group });
}
