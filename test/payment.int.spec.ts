// payment against the real broker and database: the simulated gateway's outcomes
// are the ones paymentOutcome predicts for the seed, and an order is charged once
// however many OrderPersisted messages name it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw, tap, type Tap } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { handled, outboxOf } from './support/shop.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { payment, paymentOutcome } from '../handlers/payment/index.ts';

const SEED = 'payment-spec';
const FAILURE_RATE = 0.5;

let env: TestEnv;
let host: Host;
let events: Tap;

test.before(async () => {
  env = await createTestEnv('payment');
  const config = env.config({ PAYMENT_SEED: SEED, PAYMENT_FAILURE_RATE: String(FAILURE_RATE), PAYMENT_LATENCY_MS: '150' });
  host = await startHost(config, [payment]);
  events = await tap(env.amqpUrl, [
    { exchange: 'shop.payments', routingKey: 'payment.succeeded' },
    { exchange: 'shop.payments', routingKey: 'payment.failed' },
  ]);
});

test.after(async () => {
  await events?.close();
  await host?.stop();
  await env?.cleanup();
});

const eventsFor = (orderId: string) => events.messages.filter((m) => m.correlationId === orderId);
const paymentsOf = (orderId: string) =>
  sql<{ payment_id: string; status: string; amount: number; currency: string; reason: string | null }>(env.databaseUrl,
    'select payment_id, status, amount, currency, reason from payment.payments where order_id = $1', [orderId]);

/** Persisted orders whose outcome under SEED is the one wanted. */
function ordersThatWill(outcome: 'SUCCEEDED' | 'FAILED', count: number) {
  const orders = [];
  while (orders.length < count) {
    const order = example('OrderPersisted');
    if (paymentOutcome(order.orderId, SEED, FAILURE_RATE) === outcome) orders.push(order);
  }
  return orders;
}

test('with a seed, the outcome is a pure function of seed and order, at the configured failure rate', () => {
  const ids = Array.from({ length: 2000 }, () => randomUUID());
  for (const id of ids.slice(0, 50)) assert.is(paymentOutcome(id, SEED, 0.3), paymentOutcome(id, SEED, 0.3));
  assert.ok(ids.every((id) => paymentOutcome(id, SEED, 0) === 'SUCCEEDED'));
  assert.ok(ids.every((id) => paymentOutcome(id, SEED, 1) === 'FAILED'));
  const failed = ids.filter((id) => paymentOutcome(id, SEED, 0.3) === 'FAILED').length / ids.length;
  assert.ok(failed > 0.25 && failed < 0.35, `failure share ${failed}`);
  assert.ok(ids.some((id) => paymentOutcome(id, SEED, 0.5) !== paymentOutcome(id, 'another-seed', 0.5)), 'the seed matters');
});

test('payments succeed or fail exactly as paymentOutcome predicts for the seed', async () => {
  const succeeding = ordersThatWill('SUCCEEDED', 5);
  const failing = ordersThatWill('FAILED', 5);
  await publishRaw(env.amqpUrl, [...succeeding, ...failing].map((o) => rawEvent('OrderPersisted', o)));
  for (const order of succeeding) {
    const [event] = await eventually(async () => eventsFor(order.orderId).length ? eventsFor(order.orderId) : undefined, `payment of ${order.orderId}`);
    assert.is(event.type, 'PaymentSucceeded');
    assert.equal(event.body.lines, order.lines);
    assert.equal(event.body.amount, order.total);
    assert.is(event.body.customerId, order.customerId);
    assert.is(event.body.email, order.email);
    assert.equal(await paymentsOf(order.orderId), [{ payment_id: event.body.paymentId, status: 'SUCCEEDED', amount: order.total.amount, currency: 'EUR', reason: null }]);
  }
  for (const order of failing) {
    const [event] = await eventually(async () => eventsFor(order.orderId).length ? eventsFor(order.orderId) : undefined, `payment of ${order.orderId}`);
    assert.is(event.type, 'PaymentFailed');
    assert.is(event.body.reason, 'Card declined by issuer');
    assert.equal(event.body.amount, order.total);
    assert.equal(await paymentsOf(order.orderId), [{ payment_id: event.body.paymentId, status: 'FAILED', amount: order.total.amount, currency: 'EUR', reason: 'Card declined by issuer' }]);
  }
});

test('a second OrderPersisted for the same order (new messageId) does not charge it again', async () => {
  const order = example('OrderPersisted');
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  await eventually(async () => eventsFor(order.orderId).length === 1, 'first payment');
  const [again] = await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  await handled(env.databaseUrl, 'payment', again);
  assert.is((await paymentsOf(order.orderId)).length, 1);
  const written = [...await outboxOf(env.databaseUrl, order.orderId, 'PaymentSucceeded'), ...await outboxOf(env.databaseUrl, order.orderId, 'PaymentFailed')];
  assert.is(written.length, 1);
});

test('two different OrderPersisted for one order handled at the same time charge it once', async () => {
  const order = example('OrderPersisted');
  const ids = await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order), rawEvent('OrderPersisted', order)]);
  for (const id of ids) await handled(env.databaseUrl, 'payment', id);
  assert.is((await paymentsOf(order.orderId)).length, 1);
  const written = [...await outboxOf(env.databaseUrl, order.orderId, 'PaymentSucceeded'), ...await outboxOf(env.databaseUrl, order.orderId, 'PaymentFailed')];
  assert.is(written.length, 1);
});

test.run();
