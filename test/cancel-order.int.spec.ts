// cancel-order against the real broker and database (with store-order placing the
// orders): a failed payment cancels its order and restores its stock exactly once.
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

test.run();
