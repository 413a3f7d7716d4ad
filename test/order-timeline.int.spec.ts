// order-timeline against the real broker and database: every event of an order is
// recorded once per message, stamped with the time the event itself carries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { handled } from './support/shop.ts';
import { watchDeliveries } from './support/deliveries.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { orderTimeline } from '../handlers/order-timeline/index.ts';

let env: TestEnv;
let host: Host;
const deliveries = watchDeliveries();

test.before(async () => {
  env = await createTestEnv('order_timeline');
  host = await startHost(env.config(), [orderTimeline], deliveries.options);
});

test.after(async () => {
  await host?.stop();
  await env?.cleanup();
});

const timelineOf = (orderId: string) => sql<{ message_id: string; type: string; at: Date; payload: any }>(env.databaseUrl,
  'select message_id, type, at, payload from timeline.order_events where order_id = $1 order by at, type', [orderId]);

/** One event of every kind order-timeline receives, all about one order, each a second apart. */
function lifeOfAnOrder(orderId: string) {
  const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 9, 30, s)).toISOString();
  return [
    rawEvent('OrderCreated', example('OrderCreated', { orderId, createdAt: at(0) })),
    rawEvent('OrderPersisted', example('OrderPersisted', { orderId, persistedAt: at(1) })),
    rawEvent('OrderRejected', example('OrderRejected', { orderId, rejectedAt: at(2) })),
    rawEvent('PaymentSucceeded', example('PaymentSucceeded', { orderId, paidAt: at(3) })),
    rawEvent('PaymentFailed', example('PaymentFailed', { orderId, failedAt: at(4) })),
    rawEvent('OrderCancelled', example('OrderCancelled', { orderId, cancelledAt: at(5) })),
    rawEvent('InvoiceCreated', example('InvoiceCreated', { orderId, issuedAt: at(6) })),
  ];
}

test('every kind of order event is recorded in the order timeline at its own timestamp, with its payload', async () => {
  const orderId = randomUUID();
  const messages = lifeOfAnOrder(orderId);
  const ids = await publishRaw(env.amqpUrl, messages);
  const rows = await eventually(async () => { const r = await timelineOf(orderId); return r.length === 7 ? r : undefined; }, 'seven timeline rows');
  assert.equal(rows.map((r) => r.type), ['OrderCreated', 'OrderPersisted', 'OrderRejected', 'PaymentSucceeded', 'PaymentFailed', 'OrderCancelled', 'InvoiceCreated']);
  assert.equal(rows.map((r) => r.at.toISOString()), Array.from({ length: 7 }, (_, s) => `2026-11-25T09:30:0${s}.000Z`));
  assert.equal(rows.map((r) => r.message_id), ids);
  assert.equal(rows.map((r) => r.payload), messages.map((m) => m.body));
});

test('an event delivered twice (same messageId) is recorded once', async () => {
  const orderId = randomUUID();
  const created = rawEvent('OrderCreated', example('OrderCreated', { orderId }));
  const [id] = await publishRaw(env.amqpUrl, [created, created]);
  await handled(env.databaseUrl, 'order-timeline', id);
  await publishRaw(env.amqpUrl, [created]);
  const persisted = await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', example('OrderPersisted', { orderId }))]);
  await handled(env.databaseUrl, 'order-timeline', persisted[0]);
  await deliveries.ended(id, 3); // the late copy too has been through the pipeline
  assert.equal((await timelineOf(orderId)).map((r) => r.type).sort(), ['OrderCreated', 'OrderPersisted']);
});

test.run();
