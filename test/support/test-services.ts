// Test handlers on two real contract services: payment charges by recording an
// effect row and returns PaymentSucceeded; invoice records an effect per
// PaymentSucceeded. The effect rows are the "exactly once" evidence.
import { paymentSucceeded } from '../../generated/services/payment.ts';
import type { OrderPersisted, PaymentSucceeded } from '../../generated/types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import * as assert from 'uvu/assert';
import { publishRaw, queueDepth } from './amqp.ts';
import { example, rawEvent } from './builders.ts';
import { eventually, sql, type TestEnv } from './env.ts';

export const EFFECTS_TABLE = `create table if not exists public.test_effects (
  id bigserial primary key, service text not null, order_id uuid not null, message_id uuid not null, at timestamptz not null default clock_timestamp())`;

/** A delivery a test service's handler saw: which service, order and attempt, and when. */
export interface Seen {
  readonly service: string;
  readonly orderId: string;
  readonly attempt: number;
  readonly at: number;
}

export interface TestServiceOptions {
  readonly delayMs?: number;
  /** Throws this (every time) for orders whose id is in the set. */
  readonly failFor?: ReadonlyMap<string, Error>;
  readonly seen?: Seen[];
  /** Payment's group commit (deliveries per transaction, transactions at a time). */
  readonly commit?: { size?: number; lanes?: number };
}

async function recordEffect(ctx: HandlerContext, service: string, orderId: string): Promise<void> {
  await ctx.em.execute('insert into public.test_effects (service, order_id, message_id) values (?, ?, ?)', [service, orderId, ctx.messageId]);
}

export function testServices(options: TestServiceOptions = {}): ServiceModule[] {
  const sleep = () => new Promise((r) => setTimeout(r, options.delayMs ?? 0));
  return [
    {
      name: 'payment',
      commit: options.commit,
      data: { writes: ['public.test_effects'] },
      handlers: {
        async onOrderPersisted(message: OrderPersisted, ctx: HandlerContext) {
          options.seen?.push({ service: 'payment', orderId: message.orderId, attempt: ctx.attempt, at: Date.now() });
          if (options.delayMs) await sleep();
          const failure = options.failFor?.get(message.orderId);
          if (failure) throw failure;
          await recordEffect(ctx, 'payment', message.orderId);
          return [paymentSucceeded({
            orderId: message.orderId, paymentId: ctx.messageId, customerId: message.customerId, email: message.email,
            lines: message.lines, amount: message.total, paidAt: new Date().toISOString(),
          })];
        },
      },
    },
    {
      name: 'invoice',
      data: { writes: ['public.test_effects'] },
      handlers: {
        async onPaymentSucceeded(message: PaymentSucceeded, ctx: HandlerContext) {
          options.seen?.push({ service: 'invoice', orderId: message.orderId, attempt: ctx.attempt, at: Date.now() });
          await recordEffect(ctx, 'invoice', message.orderId);
          return [];
        },
      },
    },
  ];
}

/** Publishes `count` new orders' OrderPersisted straight to the broker (as store-order); resolves to their order ids. */
export async function publishOrders(amqpUrl: string, count: number): Promise<string[]> {
  const orders = Array.from({ length: count }, () => example('OrderPersisted'));
  await publishRaw(amqpUrl, orders.map((o) => rawEvent('OrderPersisted', o)));
  return orders.map((o) => o.orderId);
}

/**
 * Waits (60 s at most) for each order's payment and invoice effect; then each must be there
 * once, no delivery of these orders may have spent an attempt, and nothing may be dead-lettered.
 */
export async function doneOnce(env: Pick<TestEnv, 'databaseUrl' | 'amqpUrl'>, ids: readonly string[], seen: readonly Seen[], what: string): Promise<void> {
  const effects = () => sql<{ service: string; order_id: string; n: number }>(env.databaseUrl,
    'select service, order_id::text, count(*)::int as n from public.test_effects where order_id = any($1::uuid[]) group by 1, 2', [ids]);
  const rows = await eventually(async () => { const r = await effects(); return r.length === ids.length * 2 ? r : undefined; }, what, 60_000);
  assert.ok(rows.every((r) => r.n === 1), `every effect once: ${JSON.stringify(rows.filter((r) => r.n !== 1))}`);
  const ours = seen.filter((x) => ids.includes(x.orderId));
  assert.ok(ours.every((x) => x.attempt === 1), `no attempt spent: ${JSON.stringify(ours.filter((x) => x.attempt !== 1))}`);
  for (const q of ['payment.dlq', 'invoice.dlq']) assert.is(await queueDepth(env.amqpUrl, q), 0, q);
}
