// cancel-order against the real broker and database (with store-order placing the
// orders): a failed payment cancels its order and restores its stock exactly once;
// failed payments that arrive together are cancelled in one transaction; cancellations
// and new orders on the same products, on two hosts at once, wait for each other's
// product locks and never deadlock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw, tap, type Tap } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { addProduct, handled, outboxOf, stockOf } from './support/shop.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { storeOrder } from '../handlers/store-order/index.ts';
import { cancelOrder } from '../handlers/cancel-order/index.ts';
import type { OrderItem } from '../generated/types.ts';
import { randomUUID } from 'node:crypto';

let env: TestEnv;
let host: Host;
let events: Tap;

test.before(async () => {
  env = await createTestEnv('cancel_order');
  host = await startHost(env.config(), [storeOrder, cancelOrder]);
  events = await tap(env.amqpUrl, [
    { exchange: 'shop.orders', routingKey: 'order.persisted' },
    { exchange: 'shop.orders', routingKey: 'order.cancelled' },
  ]);
});

test.after(async () => {
  await events?.close();
  await host?.stop();
  await env?.cleanup();
});

const eventOf = (orderId: string, type: string) =>
  eventually(async () => events.ofType(type).find((m) => m.correlationId === orderId), `${type} for ${orderId}`);
const statusOf = async (orderId: string) => (await sql<{ status: string }>(env.databaseUrl, 'select status from shop.orders where order_id = $1', [orderId]))[0]?.status;

/** Places an order through store-order and waits until it is persisted. */
async function persistedOrder(items: OrderItem[]) {
  const order = example('OrderCreated', { items });
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  await eventOf(order.orderId, 'OrderPersisted');
  return order;
}

const paymentFailedFor = (orderId: string) => example('PaymentFailed', { orderId });

test('a failed payment cancels its persisted order and restores the stock of every line', async () => {
  await addProduct(env.databaseUrl, 'K1001', 10);
  await addProduct(env.databaseUrl, 'K1002', 10);
  const order = await persistedOrder([{ productId: 'K1001', quantity: 2 }, { productId: 'K1002', quantity: 3 }, { productId: 'K1001', quantity: 1 }]);
  assert.is(await stockOf(env.databaseUrl, 'K1001'), 7);
  assert.is(await stockOf(env.databaseUrl, 'K1002'), 7);
  await publishRaw(env.amqpUrl, [rawEvent('PaymentFailed', paymentFailedFor(order.orderId))]);
  const cancelled = await eventOf(order.orderId, 'OrderCancelled');
  assert.is(cancelled.body.reason, 'PAYMENT_FAILED');
  assert.equal(cancelled.body.restoredItems, [{ productId: 'K1001', quantity: 2 }, { productId: 'K1002', quantity: 3 }, { productId: 'K1001', quantity: 1 }]);
  assert.is(await statusOf(order.orderId), 'CANCELLED');
  assert.is(await stockOf(env.databaseUrl, 'K1001'), 10);
  assert.is(await stockOf(env.databaseUrl, 'K1002'), 10);
});

test('a second PaymentFailed for a cancelled order (new messageId) restores nothing more', async () => {
  await addProduct(env.databaseUrl, 'K2001', 10);
  const order = await persistedOrder([{ productId: 'K2001', quantity: 4 }]);
  await publishRaw(env.amqpUrl, [rawEvent('PaymentFailed', paymentFailedFor(order.orderId))]);
  await eventOf(order.orderId, 'OrderCancelled');
  const [again] = await publishRaw(env.amqpUrl, [rawEvent('PaymentFailed', paymentFailedFor(order.orderId))]);
  await handled(env.databaseUrl, 'cancel-order', again);
  assert.is(await stockOf(env.databaseUrl, 'K2001'), 10);
  assert.is((await outboxOf(env.databaseUrl, order.orderId, 'OrderCancelled')).length, 1);
});

test('two different PaymentFailed for one order handled at the same time restore its stock once', async () => {
  await addProduct(env.databaseUrl, 'K3001', 10);
  const order = await persistedOrder([{ productId: 'K3001', quantity: 5 }]);
  const ids = await publishRaw(env.amqpUrl, [rawEvent('PaymentFailed', paymentFailedFor(order.orderId)), rawEvent('PaymentFailed', paymentFailedFor(order.orderId))]);
  for (const id of ids) await handled(env.databaseUrl, 'cancel-order', id);
  assert.is(await stockOf(env.databaseUrl, 'K3001'), 10);
  assert.is(await statusOf(order.orderId), 'CANCELLED');
  assert.is((await outboxOf(env.databaseUrl, order.orderId, 'OrderCancelled')).length, 1);
});

test('a PaymentFailed for an unknown order changes nothing', async () => {
  const payment = paymentFailedFor(example('OrderCreated').orderId);
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('PaymentFailed', payment)]);
  await handled(env.databaseUrl, 'cancel-order', id);
  assert.is(await statusOf(payment.orderId), undefined);
  assert.is((await outboxOf(env.databaseUrl, payment.orderId, 'OrderCancelled')).length, 0);
});

test('a PaymentFailed for a rejected order neither cancels it nor touches stock', async () => {
  await addProduct(env.databaseUrl, 'K4001', 1);
  const order = example('OrderCreated', { items: [{ productId: 'K4001', quantity: 2 }] });
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  await eventually(async () => (await statusOf(order.orderId)) === 'REJECTED', 'order rejected');
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('PaymentFailed', paymentFailedFor(order.orderId))]);
  await handled(env.databaseUrl, 'cancel-order', id);
  assert.is(await statusOf(order.orderId), 'REJECTED');
  assert.is(await stockOf(env.databaseUrl, 'K4001'), 1);
  assert.is((await outboxOf(env.databaseUrl, order.orderId, 'OrderCancelled')).length, 0);
});

test('failed payments that arrive together are cancelled in one transaction; the same order twice among them is cancelled once', async () => {
  await addProduct(env.databaseUrl, 'K5001', 20);
  await addProduct(env.databaseUrl, 'K5002', 20);
  const orders = [];
  for (const items of [[{ productId: 'K5002', quantity: 1 }, { productId: 'K5001', quantity: 2 }], [{ productId: 'K5001', quantity: 3 }], [{ productId: 'K5002', quantity: 4 }]]) {
    orders.push(await persistedOrder(items));
  }
  assert.is(await stockOf(env.databaseUrl, 'K5001'), 15);
  assert.is(await stockOf(env.databaseUrl, 'K5002'), 15);
  await host.stop(); // the payments wait in the queue, then come as one group
  // An unknown order's payment leads. Without a gathering wait it would take the free lane
  // alone and the others would gather meanwhile, but only if the broker's push of the rest
  // came before the lead's commit ended, which a busy machine does not promise: here every
  // delivery waits 500 ms for more to join it.
  const lead = rawEvent('PaymentFailed', paymentFailedFor(example('OrderCreated').orderId));
  const failed = [lead, ...[...orders, orders[0]!].map((o) => rawEvent('PaymentFailed', paymentFailedFor(o.orderId)))];
  const ids = await publishRaw(env.amqpUrl, failed);
  host = await startHost(env.config({ GATHER_MS_CANCEL_ORDER: '500' }), [storeOrder, cancelOrder]);
  for (const id of ids) await handled(env.databaseUrl, 'cancel-order', id);
  const [row] = await sql<{ groups: number }>(env.databaseUrl,
    'select count(distinct xmin::text)::int as groups from shop.orders where order_id = any($1::uuid[])', [orders.map((o) => o.orderId)]);
  assert.is(row!.groups, 1, 'the three orders were cancelled by one transaction');
  for (const o of orders) assert.is((await outboxOf(env.databaseUrl, o.orderId, 'OrderCancelled')).length, 1);
  const restored = (await outboxOf(env.databaseUrl, orders[0]!.orderId, 'OrderCancelled'))[0]!.payload.restoredItems;
  assert.equal(restored, [{ productId: 'K5002', quantity: 1 }, { productId: 'K5001', quantity: 2 }], 'in the order\'s line order');
  assert.is(await stockOf(env.databaseUrl, 'K5001'), 20);
  assert.is(await stockOf(env.databaseUrl, 'K5002'), 20);
  await host.stop();
  host = await startHost(env.config(), [storeOrder, cancelOrder]); // as the other tests run
});

test('cancellations and new orders on the same products, on two hosts at once: no deadlock, and every unit accounted for', async () => {
  const products = ['K6001', 'K6002', 'K6003', 'K6004'];
  for (const p of products) await addProduct(env.databaseUrl, p, 1000);
  // lines naming the products in every order, so that unordered locking would meet in opposite orders
  const linesOf = (i: number): OrderItem[] => {
    const [a, b, c] = [products[i % 4]!, products[(i + 1) % 4]!, products[(i + 3) % 4]!];
    return i % 2 ? [{ productId: a, quantity: 1 }, { productId: c, quantity: 2 }] : [{ productId: b, quantity: 1 }, { productId: a, quantity: 1 }, { productId: c, quantity: 1 }];
  };
  const placed = await publishRaw(env.amqpUrl, Array.from({ length: 60 }, (_, i) => rawEvent('OrderCreated', example('OrderCreated', { items: linesOf(i) }))));
  for (const id of placed) await handled(env.databaseUrl, 'store-order', id);
  const persisted = (await sql<{ order_id: string }>(env.databaseUrl,
    `select order_id from shop.orders o join shop.order_lines l using (order_id) where l.product_id = any($1) and o.status = 'PERSISTED' group by order_id`, [products])).map((r) => r.order_id);
  const other = await startHost(env.config(), [storeOrder, cancelOrder]);
  try {
    const deadlocksBefore = await deadlocks();
    // half the orders fail their payment while 60 more orders come for the same products, on both hosts
    const fresh = Array.from({ length: 60 }, (_, i) => rawEvent('OrderCreated', example('OrderCreated', { items: linesOf(i + 1) })));
    const failing = persisted.filter((_, i) => i % 2 === 0).map((orderId) => rawEvent('PaymentFailed', paymentFailedFor(orderId), randomUUID()));
    const [ordered, failed] = await Promise.all([publishRaw(env.amqpUrl, fresh), publishRaw(env.amqpUrl, failing)]);
    for (const id of ordered) await handled(env.databaseUrl, 'store-order', id);
    for (const id of failed) await handled(env.databaseUrl, 'cancel-order', id);
    await other.stop();
    await host.stop();
    // a session adds what it met to the database's statistics as it ends: wait for every one of theirs to have ended
    await eventually(async () => (await sql<{ n: number }>(env.databaseUrl,
      'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()'))[0]!.n === 0, 'the hosts\' sessions ended');
    assert.is(await deadlocks(), deadlocksBefore, 'no transaction was chosen as a deadlock victim');
    host = await startHost(env.config(), [storeOrder, cancelOrder]);
    const [{ cancelled }] = await sql<{ cancelled: number }>(env.databaseUrl,
      `select count(*)::int as cancelled from shop.orders where order_id = any($1::uuid[]) and status = 'CANCELLED'`, [persisted]);
    assert.is(cancelled, failing.length);
    // stock = what was there, less what the orders still persisted reserve
    const reserved = await sql<{ product_id: string; n: number }>(env.databaseUrl,
      `select l.product_id, sum(l.quantity)::int as n from shop.order_lines l join shop.orders o using (order_id)
        where l.product_id = any($1) and o.status = 'PERSISTED' group by l.product_id`, [products]);
    for (const p of products) assert.is(await stockOf(env.databaseUrl, p), 1000 - (reserved.find((r) => r.product_id === p)?.n ?? 0), p);
  } finally {
    await other.stop();
  }
});

async function deadlocks(): Promise<number> {
  const [row] = await sql<{ n: number }>(env.databaseUrl, 'select deadlocks::int as n from pg_stat_database where datname = current_database()');
  return row!.n;
}

test.run();
