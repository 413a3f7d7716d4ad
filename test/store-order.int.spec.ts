// store-order against the real broker and database: pricing from the catalog, stock
// reserved for all lines or none, rejections, duplicates (an order id in capitals is
// the same order), and concurrent orders competing for the last units (stock never
// below zero).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw, tap, type Tap } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { addProduct, handled, outboxOf, stockOf } from './support/shop.ts';
import { watchDeliveries } from './support/deliveries.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { storeOrder } from '../handlers/store-order/index.ts';
import type { OrderItem } from '../generated/types.ts';

let env: TestEnv;
let host: Host;
let second: Host | undefined;
let events: Tap;
const deliveries = watchDeliveries();

test.before(async () => {
  env = await createTestEnv('store_order');
  host = await startHost(env.config(), [storeOrder], deliveries.options);
  events = await tap(env.amqpUrl, [
    { exchange: 'shop.orders', routingKey: 'order.persisted' },
    { exchange: 'shop.orders', routingKey: 'order.rejected' },
  ]);
});

test.after(async () => {
  await events?.close();
  await second?.stop();
  await host?.stop();
  await env?.cleanup();
});

const orderCreated = (items: OrderItem[]) => example('OrderCreated', { items });
const eventsFor = (orderId: string) => events.messages.filter((m) => m.correlationId === orderId);
const firstEventFor = (orderId: string) => eventually(async () => eventsFor(orderId)[0], `an event for order ${orderId}`);
const orderRow = async (orderId: string) =>
  (await sql<{ status: string; total_amount: number | null; currency: string | null; rejection_reason: string | null }>(
    env.databaseUrl, 'select status, total_amount, currency, rejection_reason from shop.orders where order_id = $1', [orderId]))[0];

test('an order for A1215×2 and A1216×1 is priced from the catalog, stored and its stock reserved', async () => {
  const before = { a1215: await stockOf(env.databaseUrl, 'A1215'), a1216: await stockOf(env.databaseUrl, 'A1216') };
  const order = orderCreated([{ productId: 'A1215', quantity: 2 }, { productId: 'A1216', quantity: 1 }]);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  const event = await firstEventFor(order.orderId);
  assert.is(event.type, 'OrderPersisted');
  assert.equal(event.body.lines, [
    { productId: 'A1215', name: 'Trail running shoes', quantity: 2, unitPrice: { amount: 8999, currency: 'EUR' }, lineTotal: { amount: 17998, currency: 'EUR' } },
    { productId: 'A1216', name: 'Merino socks', quantity: 1, unitPrice: { amount: 1499, currency: 'EUR' }, lineTotal: { amount: 1499, currency: 'EUR' } },
  ]);
  assert.equal(event.body.total, { amount: 19497, currency: 'EUR' });
  assert.is(event.body.email, order.email);
  assert.is(event.body.customerId, order.customerId);
  assert.ok(Math.abs(Date.parse(event.body.persistedAt) - Date.now()) < 60_000, 'persistedAt is the time of storing');
  assert.is(await stockOf(env.databaseUrl, 'A1215'), before.a1215 - 2);
  assert.is(await stockOf(env.databaseUrl, 'A1216'), before.a1216 - 1);
  assert.equal(await orderRow(order.orderId), { status: 'PERSISTED', total_amount: 19497, currency: 'EUR', rejection_reason: null });
  const lines = await sql(env.databaseUrl, 'select line_no, product_id, quantity, unit_price, line_total from shop.order_lines where order_id = $1 order by line_no', [order.orderId]);
  assert.equal(lines, [
    { line_no: 1, product_id: 'A1215', quantity: 2, unit_price: 8999, line_total: 17998 },
    { line_no: 2, product_id: 'A1216', quantity: 1, unit_price: 1499, line_total: 1499 },
  ]);
});

test('an order naming an unknown product is rejected (UNKNOWN_PRODUCT) and reserves nothing', async () => {
  const before = await stockOf(env.databaseUrl, 'A1215');
  const order = orderCreated([{ productId: 'A1215', quantity: 1 }, { productId: 'Z9999', quantity: 3 }]);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  const event = await firstEventFor(order.orderId);
  assert.is(event.type, 'OrderRejected');
  assert.is(event.body.reason, 'UNKNOWN_PRODUCT');
  assert.equal(event.body.problems, [{ productId: 'Z9999', requested: 3, available: null }]);
  assert.match(event.body.detail, /Z9999/);
  assert.is(await stockOf(env.databaseUrl, 'A1215'), before);
  assert.equal(await orderRow(order.orderId), { status: 'REJECTED', total_amount: null, currency: null, rejection_reason: 'UNKNOWN_PRODUCT' });
});

test('an order one line of which lacks stock is rejected (INSUFFICIENT_STOCK) and reserves no line at all', async () => {
  await addProduct(env.databaseUrl, 'S1001', 3);
  const before = await stockOf(env.databaseUrl, 'A1216');
  const order = orderCreated([{ productId: 'A1216', quantity: 4 }, { productId: 'S1001', quantity: 5 }]);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  const event = await firstEventFor(order.orderId);
  assert.is(event.type, 'OrderRejected');
  assert.is(event.body.reason, 'INSUFFICIENT_STOCK');
  assert.equal(event.body.problems, [{ productId: 'S1001', requested: 5, available: 3 }]);
  assert.is(event.body.detail, 'S1001: 5 requested, 3 in stock');
  assert.is(await stockOf(env.databaseUrl, 'A1216'), before, 'the line that had enough stock kept it');
  assert.is(await stockOf(env.databaseUrl, 'S1001'), 3);
  assert.equal(await orderRow(order.orderId), { status: 'REJECTED', total_amount: null, currency: null, rejection_reason: 'INSUFFICIENT_STOCK' });
  assert.is((await sql(env.databaseUrl, 'select 1 from shop.order_lines where order_id = $1', [order.orderId])).length, 0);
});

test('an order whose total is beyond what an order can hold is rejected (AMOUNT_TOO_LARGE), not dead-lettered, and reserves nothing', async () => {
  await addProduct(env.databaseUrl, 'GOLD1', 10, 1_500_000_000);
  const order = orderCreated([{ productId: 'GOLD1', quantity: 2 }]);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  const event = await firstEventFor(order.orderId);
  assert.is(event.type, 'OrderRejected');
  assert.is(event.body.reason, 'AMOUNT_TOO_LARGE');
  assert.equal(event.body.problems, []);
  assert.match(event.body.detail, 'GOLD1 × 2 comes to 3000000000');
  assert.is(await stockOf(env.databaseUrl, 'GOLD1'), 10);
  assert.equal(await orderRow(order.orderId), { status: 'REJECTED', total_amount: null, currency: null, rejection_reason: 'AMOUNT_TOO_LARGE' });
});

test('lines of the same product count together against its stock', async () => {
  await addProduct(env.databaseUrl, 'S1002', 5);
  const order = orderCreated([{ productId: 'S1002', quantity: 3 }, { productId: 'S1002', quantity: 3 }]);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  const event = await firstEventFor(order.orderId);
  assert.is(event.type, 'OrderRejected');
  assert.equal(event.body.problems, [{ productId: 'S1002', requested: 3, available: 5 }, { productId: 'S1002', requested: 3, available: 5 }]);
  assert.is(event.body.detail, 'S1002: 6 requested, 5 in stock');
  assert.is(await stockOf(env.databaseUrl, 'S1002'), 5);

  const fits = orderCreated([{ productId: 'S1002', quantity: 2 }, { productId: 'S1002', quantity: 3 }]);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', fits)]);
  assert.is((await firstEventFor(fits.orderId)).type, 'OrderPersisted');
  assert.is(await stockOf(env.databaseUrl, 'S1002'), 0);
});

test('the same OrderCreated delivered twice (same messageId) reserves stock once and emits one event', async () => {
  await addProduct(env.databaseUrl, 'S1003', 10);
  const order = orderCreated([{ productId: 'S1003', quantity: 4 }]);
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order, messageId), rawEvent('OrderCreated', order, messageId)]);
  await firstEventFor(order.orderId);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order, messageId)]);
  await deliveries.ended(messageId, 3); // the later copies too have been through the pipeline
  assert.is(await stockOf(env.databaseUrl, 'S1003'), 6);
  assert.is((await outboxOf(env.databaseUrl, order.orderId, 'OrderPersisted')).length, 1);
  assert.is(eventsFor(order.orderId).length, 1);
});

test('a second, distinct OrderCreated for a stored order (new messageId) reserves nothing more', async () => {
  await addProduct(env.databaseUrl, 'S1004', 10);
  const order = orderCreated([{ productId: 'S1004', quantity: 4 }]);
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  await firstEventFor(order.orderId);
  const [again] = await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  await handled(env.databaseUrl, 'store-order', again);
  assert.is(await stockOf(env.databaseUrl, 'S1004'), 6);
  assert.is((await outboxOf(env.databaseUrl, order.orderId, 'OrderPersisted')).length, 1);
  assert.is((await outboxOf(env.databaseUrl, order.orderId, 'OrderRejected')).length, 0);
});

test('an order id in capitals is stored and reserves its stock like any; a second OrderCreated for it, in capitals or not, reserves nothing more', async () => {
  await addProduct(env.databaseUrl, 'S1005', 10);
  const inLowerCase = orderCreated([{ productId: 'S1005', quantity: 4 }]);
  const order = { ...inLowerCase, orderId: inLowerCase.orderId.toUpperCase() };
  await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order)]);
  const event = await firstEventFor(order.orderId);
  assert.is(event.type, 'OrderPersisted');
  assert.is(event.body.orderId, order.orderId, 'announced under the id it came with');
  const again = await publishRaw(env.amqpUrl, [rawEvent('OrderCreated', order), rawEvent('OrderCreated', inLowerCase)]);
  for (const id of again) await handled(env.databaseUrl, 'store-order', id);
  assert.is(await stockOf(env.databaseUrl, 'S1005'), 6);
  assert.equal(await orderRow(order.orderId), { status: 'PERSISTED', total_amount: 4000, currency: 'EUR', rejection_reason: null });
  const written = await sql(env.databaseUrl, `select message_type from runtime.outbox
    where message_type in ('OrderPersisted', 'OrderRejected') and lower(correlation_id) = lower($1)`, [order.orderId]);
  assert.equal(written, [{ message_type: 'OrderPersisted' }], 'one event for the order, in either case');
});

test('orders that arrive together are decided in their order, each against the stock the ones before it left; a second OrderCreated of one of them is ignored', async () => {
  await addProduct(env.databaseUrl, 'G4000', 4);
  const first = orderCreated([{ productId: 'G4000', quantity: 3 }]);
  const tooMany = orderCreated([{ productId: 'G4000', quantity: 2 }]);
  const last = orderCreated([{ productId: 'G4000', quantity: 1 }]);
  // published at once: they meet in one group commit (or a few: the outcome is the same)
  const ids = await publishRaw(env.amqpUrl, [first, tooMany, first, last].map((o) => rawEvent('OrderCreated', o)));
  for (const id of ids) await handled(env.databaseUrl, 'store-order', id);
  await eventually(async () => [first, tooMany, last].every((o) => eventsFor(o.orderId).length > 0), 'an event for each of the three orders');
  assert.equal(eventsFor(first.orderId).map((e) => e.type), ['OrderPersisted']);
  assert.equal(eventsFor(tooMany.orderId).map((e) => [e.type, e.body.reason, e.body.problems]), [['OrderRejected', 'INSUFFICIENT_STOCK', [{ productId: 'G4000', requested: 2, available: 1 }]]]);
  assert.equal(eventsFor(last.orderId).map((e) => e.type), ['OrderPersisted']);
  assert.is(await stockOf(env.databaseUrl, 'G4000'), 0);
  assert.is((await outboxOf(env.databaseUrl, first.orderId, 'OrderPersisted')).length, 1, 'the repeated order once');
});

test('120 concurrent one-unit orders for a product with 50 in stock: exactly 50 persisted, 70 rejected, stock 0', async () => {
  second = await startHost(env.config(), [storeOrder]); // two competing consumers, 16 deliveries in flight each
  await addProduct(env.databaseUrl, 'R5000', 50);
  const orders = Array.from({ length: 120 }, () => orderCreated([{ productId: 'R5000', quantity: 1 }]));
  let lowest = 50;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      lowest = Math.min(lowest, await stockOf(env.databaseUrl, 'R5000'));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await publishRaw(env.amqpUrl, orders.map((o) => rawEvent('OrderCreated', o)));
  const ids = orders.map((o) => o.orderId);
  const statuses = await eventually(async () => {
    const rows = await sql<{ status: string; n: number }>(env.databaseUrl,
      'select status, count(*)::int as n from shop.orders where order_id = any($1::uuid[]) group by status', [ids]);
    return rows.reduce((sum, r) => sum + r.n, 0) === 120 ? Object.fromEntries(rows.map((r) => [r.status, r.n])) : undefined;
  }, 'all 120 orders stored', 40_000);
  watching = false;
  await watcher;
  assert.equal(statuses, { PERSISTED: 50, REJECTED: 70 });
  assert.is(await stockOf(env.databaseUrl, 'R5000'), 0);
  assert.ok(lowest >= 0, `stock went down to ${lowest}`);
  const reserved = await sql<{ n: number }>(env.databaseUrl,
    `select coalesce(sum(l.quantity), 0)::int as n from shop.order_lines l join shop.orders o using (order_id) where l.product_id = 'R5000' and o.status = 'PERSISTED'`);
  assert.is(reserved[0].n, 50);
  await eventually(async () => ids.every((id) => eventsFor(id).length === 1), 'one event per order', 20_000);
  assert.is(ids.filter((id) => eventsFor(id)[0].type === 'OrderPersisted').length, 50);
  await second.stop();
  second = undefined;
});

test('a single lane takes every delivery in flight per group, not BATCH_SIZE: 100 waiting orders in far fewer than 100 / 8 transactions', async () => {
  await host.stop();
  await addProduct(env.databaseUrl, 'B8000', 1000);
  const orders = Array.from({ length: 100 }, () => orderCreated([{ productId: 'B8000', quantity: 1 }]));
  await publishRaw(env.amqpUrl, orders.map((o) => rawEvent('OrderCreated', o))); // they wait in the queue
  host = await startHost(env.config({ BATCH_SIZE: '8' }), [storeOrder]);
  const ids = orders.map((o) => o.orderId);
  const transactions = await eventually(async () => {
    // xmin: the transaction that stored the row; store-order stores a group's orders in one statement
    const [row] = await sql<{ n: number; groups: number }>(env.databaseUrl,
      'select count(*)::int as n, count(distinct xmin::text)::int as groups from shop.orders where order_id = any($1::uuid[])', [ids]);
    return row.n === 100 ? row.groups : undefined;
  }, 'all 100 orders stored', 40_000);
  // With groups capped at BATCH_SIZE it would take at least 13; the first delivery alone opens the lane, the rest follow in one or a few groups.
  assert.ok(transactions < 100 / 8, `100 orders in ${transactions} transactions`);
  assert.is(await stockOf(env.databaseUrl, 'B8000'), 900);
});

test.run();
