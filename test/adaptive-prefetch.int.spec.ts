// test-time-limit: 240s
// Deliveries in flight that follow a slow dependency, against the real broker and
// database: a consumer takes a new prefetch by consuming anew, losing and doubling
// nothing; the payment service raises its prefetch against a slow card processor, up to
// PAYMENT_MAX_IN_FLIGHT, charges every order once, and comes back down when the load ends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import type { OrderPersisted } from '../generated/types.ts';
import { payment } from '../handlers/payment/index.ts';
import type { HandlerContext } from '../runtime/handler-context.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { withStepOutsideTransaction } from '../runtime/outside-step.ts';
import type { ServiceModule } from '../runtime/service.ts';
import { publishRaw, queueDepth } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { EFFECTS_TABLE } from './support/test-services.ts';

let env: TestEnv;
let host: Host | undefined;

test.before(async () => {
  env = await createTestEnv('adaptive_prefetch');
  await sql(env.databaseUrl, EFFECTS_TABLE);
});

test.after(async () => {
  await host?.stop();
  await env?.cleanup();
});

const orders = (n: number) => Array.from({ length: n }, () => rawEvent('OrderPersisted', example('OrderPersisted', { orderId: randomUUID() })));

test('a new prefetch: the consumer consumes anew with it; every delivery is handled once, none lost', async () => {
  let inFlight = 0;
  let most = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  // Each delivery waits at the gate in its step outside the transaction: the deliveries in flight, holding no connection.
  const held: ServiceModule = {
    name: 'payment',
    concurrency: 4,
    data: { writes: ['public.test_effects'] },
    handlers: {
      onOrderPersisted: withStepOutsideTransaction(
        async () => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          await gate;
          inFlight -= 1;
        },
        async (message: OrderPersisted, ctx: HandlerContext) => {
          await ctx.em.execute('insert into public.test_effects (service, order_id, message_id) values (?, ?, ?)', ['payment', message.orderId, ctx.messageId]);
          return [];
        },
      ),
    },
  };
  host = await startHost(env.config(), [held]);
  const consumer = host.consumers.get('payment')!;
  const sent = orders(40);
  await publishRaw(env.amqpUrl, sent);
  await eventually(async () => inFlight === 4, 'the first 4 deliveries at the gate');
  await eventually(async () => await queueDepth(env.amqpUrl, 'payment') === 36, 'the other 36 ready in the queue');
  assert.is(most, 4, 'the prefetch held');

  await consumer.setPrefetch(16);
  assert.is(consumer.prefetch, 16);
  assert.ok(consumer.consuming, 'consuming again, with the new prefetch');
  // the cancelled consumer keeps its 4 until they are acked; the new one takes 16 more
  await eventually(async () => inFlight === 20, '20 deliveries at the gate', 10_000);
  await eventually(async () => await queueDepth(env.amqpUrl, 'payment') === 20, 'the other 20 ready in the queue');
  assert.is(most, 20);
  const metrics = await host.runtime.metrics.scrape();
  assert.match(metrics, /^shop_consumer_prefetch\{service="payment"\} 16$/m);
  assert.match(metrics, /^shop_consumer_deliveries_in_flight\{service="payment"\} 20$/m);

  release();
  const rows = await eventually(async () => {
    const r = await sql<{ order_id: string; n: number }>(env.databaseUrl, 'select order_id, count(*)::int as n from public.test_effects group by order_id');
    return r.length === 40 && r;
  }, 'an effect for each of the 40 orders');
  assert.ok(rows.every((r) => r.n === 1), 'one effect each');
  assert.equal(new Set(rows.map((r) => r.order_id)), new Set(sent.map((m) => (m.body as OrderPersisted).orderId)));
  assert.ok(most <= 20, `at most the old prefetch and the new together (${most})`);
  const refused = await consumer.setPrefetch(0).then(() => undefined, (err: Error) => err.message);
  assert.match(refused ?? 'accepted', /at least 1, not 0/);
});

test.after.each(async () => {
  await host?.stop();
  host = undefined;
});

test('payment against a slow processor: the prefetch doubles up to PAYMENT_MAX_IN_FLIGHT, each order is charged once, and it comes back down', async () => {
  host = await startHost(env.config({
    PREFETCH_PAYMENT: '8', PAYMENT_MAX_IN_FLIGHT: '32', PAYMENT_LATENCY_MS: '500', PAYMENT_FAILURE_RATE: '0.2', PAYMENT_SEED: 'adaptive',
  }), [payment]);
  const consumer = host.consumers.get('payment')!;
  assert.is(consumer.prefetch, 8);
  const sent = orders(600);
  await publishRaw(env.amqpUrl, sent);
  // 8 in flight at 0.5 s each is 16 charges a second: 600 orders keep every delivery waiting on its charge for half a minute
  await eventually(async () => consumer.prefetch === 32, 'the prefetch at PAYMENT_MAX_IN_FLIGHT', 40_000, 250);
  const paid = await eventually(async () => {
    const [row] = await sql<{ payments: number; attempts: number; calls: number }>(env.databaseUrl,
      'select (select count(*)::int from payment.payments) as payments, count(*)::int as attempts, coalesce(max(calls), 0)::int as calls from payment.attempts');
    return row!.payments === 600 && row!;
  }, 'a payment for each of the 600 orders', 60_000, 250);
  assert.equal(paid, { payments: 600, attempts: 600, calls: 1 }, 'one attempt of one call per order');
  // nothing in flight now: it halves a window (5 s) at a time, back to its own
  await eventually(async () => consumer.prefetch === 8, 'the prefetch back at 8', 40_000, 250);
});

test.run();
