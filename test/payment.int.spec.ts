// payment against the real broker, database and the simulated card processor over HTTP:
// outcomes are the ones paymentOutcome predicts for the seed; an order is charged once
// at the processor however many OrderPersisted name it, whatever crashes between the
// call and the record; no database connection is held while the processor answers; and
// timeouts and 503s are retried into exactly one charge and one event. An order id in
// capitals (a valid uuid) is the same order as in lower case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { drainQueue, publishRaw, tap, type Tap } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { publishOrders } from './support/test-services.ts';
import { handled, outboxOf } from './support/shop.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { inTransaction, type EntityManager } from '../runtime/db.ts';
import { payment, paymentOutcome, type PaymentService } from '../handlers/payment/index.ts';
import { chargeOutside, recordOutcomes, type Charged } from '../handlers/payment/onOrderPersisted.ts';
import { gatewayClient } from '../handlers/payment/gateway.ts';
import { faultOf } from '../simulators/payment-provider/outcome.ts';
import type { ChargeRecord, ProviderSettings } from '../simulators/payment-provider/server.ts';
import type { OrderPersisted } from '../generated/types.ts';

const SEED = 'payment-spec';
const FAILURE_RATE = 0.5;
// long enough for the slow processor's test to see all its calls in flight on a busy machine
const GATEWAY_TIMEOUT_MS = 5000;
const SETTINGS = { latencyMs: 150, failureRate: FAILURE_RATE, errorRate: 0, timeoutRate: 0 };

let env: TestEnv;
let host: Host;
let events: Tap;
/** The processor the payment service started itself (PAYMENT_GATEWAY_URL unset). */
let gatewayUrl: string;

test.before(async () => {
  env = await createTestEnv('payment');
  const config = env.config({
    PAYMENT_SEED: SEED, PAYMENT_FAILURE_RATE: String(FAILURE_RATE), PAYMENT_LATENCY_MS: String(SETTINGS.latencyMs),
    PAYMENT_GATEWAY_TIMEOUT_MS: String(GATEWAY_TIMEOUT_MS), MAX_ATTEMPTS: '5',
  });
  host = await startHost(config, [payment]);
  gatewayUrl = (host.services.get('payment') as PaymentService).gatewayUrl;
  events = await tap(env.amqpUrl, [
    { exchange: 'shop.payments', routingKey: 'payment.succeeded' },
    { exchange: 'shop.payments', routingKey: 'payment.failed' },
  ]);
});

test.before.each(async () => { await settle(SETTINGS); });

test.after(async () => {
  await events?.close();
  await host?.stop();
  await env?.cleanup();
});

async function settle(changes: Partial<ProviderSettings>): Promise<void> {
  const res = await fetch(`${gatewayUrl}/admin/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(changes) });
  assert.is(res.status, 200, await res.text());
}

async function provider(): Promise<{ charges: ChargeRecord[]; inFlight: number }> {
  return (await fetch(`${gatewayUrl}/admin/charges`)).json() as Promise<{ charges: ChargeRecord[]; inFlight: number }>;
}
const chargesOf = async (orderId: string) => (await provider()).charges.filter((c) => c.orderId === orderId);

const eventsFor = (orderId: string) => events.messages.filter((m) => m.correlationId === orderId);
const paymentsOf = (orderId: string) =>
  sql<{ payment_id: string; status: string; amount: number; currency: string; reason: string | null; charge_id: string }>(env.databaseUrl,
    'select payment_id, status, amount, currency, reason, charge_id from payment.payments where order_id = $1', [orderId]);
const writtenFor = async (orderId: string) =>
  [...await outboxOf(env.databaseUrl, orderId, 'PaymentSucceeded'), ...await outboxOf(env.databaseUrl, orderId, 'PaymentFailed')];

/** Persisted orders (made by `make`) whose outcome under SEED is the one wanted. */
function ordersThatWill(outcome: 'SUCCEEDED' | 'FAILED', count: number, make = () => example('OrderPersisted')) {
  const orders = [];
  while (orders.length < count) {
    const order = make();
    if (paymentOutcome(order.orderId, SEED, FAILURE_RATE) === outcome) orders.push(order);
  }
  return orders;
}

/** The same order with its id in capitals: a valid uuid all the same (asyncapi.yaml's `format: uuid`). */
const inCapitals = (order: OrderPersisted): OrderPersisted => ({ ...order, orderId: order.orderId.toUpperCase() });

/** One charge at the processor, one payment row naming it, one event: the order was paid for once. */
async function chargedOnce(orderId: string): Promise<ChargeRecord> {
  const charges = await chargesOf(orderId);
  assert.is(charges.length, 1, `charges of ${orderId}: ${JSON.stringify(charges)}`);
  const rows = await paymentsOf(orderId);
  assert.is(rows.length, 1, `payment rows of ${orderId}`);
  assert.is(rows[0].charge_id, charges[0].chargeId);
  assert.is((await writtenFor(orderId)).length, 1, `events of ${orderId}`);
  return charges[0];
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

test('the service started its own processor on 127.0.0.1 (PAYMENT_GATEWAY_URL unset)', async () => {
  assert.match(gatewayUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.is((await fetch(`${gatewayUrl}/health`)).status, 200);
});

/** The order's payment as the processor decides it: its event, built from the order, one charge and one payment row naming it. */
async function settledAs(order: OrderPersisted, outcome: 'SUCCEEDED' | 'FAILED'): Promise<void> {
  const [event] = await eventually(async () => eventsFor(order.orderId).length ? eventsFor(order.orderId) : undefined, `payment of ${order.orderId}`);
  if (outcome === 'SUCCEEDED') {
    assert.is(event.type, 'PaymentSucceeded');
    assert.equal(event.body.lines, order.lines);
    assert.equal(event.body.amount, order.total);
    assert.is(event.body.customerId, order.customerId);
    assert.is(event.body.email, order.email);
    const charge = await chargedOnce(order.orderId);
    assert.equal(charge.amount, order.total);
    assert.equal(await paymentsOf(order.orderId), [{ payment_id: event.body.paymentId, status: 'SUCCEEDED', amount: order.total.amount, currency: 'EUR', reason: null, charge_id: charge.chargeId }]);
  } else {
    assert.is(event.type, 'PaymentFailed');
    assert.is(event.body.reason, 'Card declined by issuer');
    assert.equal(event.body.amount, order.total);
    const charge = await chargedOnce(order.orderId);
    assert.is(charge.status, 'DECLINED');
    assert.equal(await paymentsOf(order.orderId), [{ payment_id: event.body.paymentId, status: 'FAILED', amount: order.total.amount, currency: 'EUR', reason: 'Card declined by issuer', charge_id: charge.chargeId }]);
  }
}

test('payments succeed or fail exactly as paymentOutcome predicts for the seed', async () => {
  const succeeding = ordersThatWill('SUCCEEDED', 5);
  const failing = ordersThatWill('FAILED', 5);
  await publishRaw(env.amqpUrl, [...succeeding, ...failing].map((o) => rawEvent('OrderPersisted', o)));
  for (const order of succeeding) await settledAs(order, 'SUCCEEDED');
  for (const order of failing) await settledAs(order, 'FAILED');
});

test('a second OrderPersisted for the same order (new messageId) does not charge it again', async () => {
  const order = example('OrderPersisted');
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  await eventually(async () => eventsFor(order.orderId).length === 1, 'first payment');
  const [again] = await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  await handled(env.databaseUrl, 'payment', again);
  const charge = await chargedOnce(order.orderId);
  assert.is(charge.calls, 1, 'a payment already recorded is not even asked for again');
});

test('two different OrderPersisted for one order handled at the same time charge it once', async () => {
  const order = example('OrderPersisted');
  const ids = await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order), rawEvent('OrderPersisted', order)]);
  for (const id of ids) await handled(env.databaseUrl, 'payment', id);
  await chargedOnce(order.orderId);
  assert.is((await paymentsOf(order.orderId)).length, 1);
  assert.is((await outboxOf(env.databaseUrl, order.orderId, 'PaymentSucceeded')).length + (await outboxOf(env.databaseUrl, order.orderId, 'PaymentFailed')).length, 1, 'one event');
});

test('an order id in capitals is paid or declined like any, once; OrderPersisted naming it again, in capitals or not, charges nothing more', async () => {
  // the processor draws on the id as sent: these are picked by their id in capitals
  const succeeding = ordersThatWill('SUCCEEDED', 2, () => inCapitals(example('OrderPersisted')));
  const failing = ordersThatWill('FAILED', 2, () => inCapitals(example('OrderPersisted')));
  const orders = [...succeeding, ...failing];
  await publishRaw(env.amqpUrl, orders.map((o) => rawEvent('OrderPersisted', o)));
  for (const order of succeeding) await settledAs(order, 'SUCCEEDED');
  for (const order of failing) await settledAs(order, 'FAILED');

  const again = await publishRaw(env.amqpUrl, orders.flatMap((o) => [rawEvent('OrderPersisted', o), rawEvent('OrderPersisted', { ...o, orderId: o.orderId.toLowerCase() })]));
  for (const id of again) await handled(env.databaseUrl, 'payment', id);
  for (const order of orders) {
    const charges = (await provider()).charges.filter((c) => c.orderId.toLowerCase() === order.orderId.toLowerCase());
    assert.equal(charges.map((c) => [c.orderId, c.calls]), [[order.orderId, 1]], `charges of ${order.orderId}: asked once, under the id it came with`);
    const written = await sql(env.databaseUrl, `select message_type from runtime.outbox
      where message_type in ('PaymentSucceeded', 'PaymentFailed') and lower(correlation_id) = lower($1)`, [order.orderId]);
    assert.is(written.length, 1, `payment events of ${order.orderId}, in either case`);
  }
  assert.equal(await drainQueue(env.amqpUrl, 'payment.dlq'), [], 'nothing dead-lettered');
});

// ---------------------------------------------------------------- the two steps, called directly

const paymentDb = () => host.databases.get('payment')!;
const steps = () => ({
  outside: chargeOutside(gatewayClient({ baseUrl: () => gatewayUrl, timeoutMs: GATEWAY_TIMEOUT_MS })),
  within: (order: OrderPersisted, charged: Charged, messageId = randomUUID()) => inTransaction(paymentDb(), (em) =>
    recordOutcomes([{ order, ctx: { service: 'payment', sender: 'store-order', messageId, type: 'OrderPersisted' as const, correlationId: order.orderId, attempt: 1, em, log: host.runtime.log }, charged }]).then(([events]) => events!)),
});
const outsideCtx = (order: OrderPersisted, attempt = 1) =>
  ({ service: 'payment', messageId: randomUUID(), correlationId: order.orderId, attempt, db: paymentDb(), log: host.runtime.log });

test('the outside step run twice (a redelivery before the record) and at once: one charge, one answer, one payment id', async () => {
  const { outside, within } = steps();
  const order = example('OrderPersisted');
  const [a, b] = await Promise.all([outside(order, outsideCtx(order)), outside(order, outsideCtx(order))]);
  const c = await outside(order, outsideCtx(order, 2));
  assert.equal(a, b);
  assert.equal(a, c);
  assert.is(a.kind, 'answered');
  const [charge] = await chargesOf(order.orderId);
  assert.is(charge.calls, 3);
  const [attempt] = await sql<{ payment_id: string; calls: number }>(env.databaseUrl, 'select payment_id, calls from payment.attempts where order_id = $1', [order.orderId]);
  assert.equal(attempt, { payment_id: a.paymentId, calls: 3 });

  const recorded = await within(order, a);
  assert.is(recorded.length, 1);
  assert.is((recorded[0].payload as { paymentId: string }).paymentId, a.paymentId);
  assert.equal(await within(order, c), [], 'recorded already: no second event');
  const rows = await paymentsOf(order.orderId);
  assert.is(rows.length, 1);
  assert.is(rows[0].charge_id, charge.chargeId);
  assert.equal(await outside(order, outsideCtx(order, 3)), { kind: 'already-final', paymentId: a.paymentId, status: rows[0].status as 'SUCCEEDED' | 'FAILED' });
  assert.is((await chargesOf(order.orderId))[0].calls, 3, 'a final payment is not asked for again');
});

test('a group commit records each order once: an order twice in the group gets one payment and one event', async () => {
  const { outside } = steps();
  const [one, other] = [example('OrderPersisted'), example('OrderPersisted')];
  const [a, again, b] = await Promise.all([outside(one, outsideCtx(one)), outside(one, outsideCtx(one)), outside(other, outsideCtx(other))]);
  const ctx = (order: OrderPersisted, em: EntityManager) => ({ service: 'payment', sender: 'store-order', messageId: randomUUID(), type: 'OrderPersisted' as const, correlationId: order.orderId, attempt: 1, em, log: host.runtime.log });
  const events = await inTransaction(paymentDb(), (em) => recordOutcomes([
    { order: one, ctx: ctx(one, em), charged: a }, { order: one, ctx: ctx(one, em), charged: again }, { order: other, ctx: ctx(other, em), charged: b },
  ]));
  assert.equal(events.map((e) => e.length), [1, 0, 1]);
  assert.is((events[0]![0]!.payload as { paymentId: string }).paymentId, a.paymentId);
  assert.is((await paymentsOf(one.orderId)).length, 1);
  assert.is((await paymentsOf(other.orderId)).length, 1);
  const [attempt] = await sql<{ calls: number }>(env.databaseUrl, 'select calls from payment.attempts where order_id = $1', [one.orderId]);
  assert.is(attempt!.calls, 2, 'both calls counted, the two of one statement too');
});

test('a crash after the charge and before its record: the redelivered message gets the same answer, one charge, one event', async () => {
  const { outside } = steps();
  const order = example('OrderPersisted');
  const before = await outside(order, outsideCtx(order)); // ...and the process dies here: nothing recorded.
  assert.equal(await paymentsOf(order.orderId), []);
  const [messageId] = await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  await handled(env.databaseUrl, 'payment', messageId);
  const charge = await chargedOnce(order.orderId);
  assert.is(charge.calls, 2);
  assert.is(before.kind === 'answered' && before.answer.chargeId, charge.chargeId);
  const [row] = await paymentsOf(order.orderId);
  assert.is(before.paymentId, row.payment_id, 'the payment id of the first attempt is kept');
});

// ---------------------------------------------------------------- a slow and a failing processor

test('a slow processor (4 s, 20 orders in flight) holds no database connection while it answers', async () => {
  // under GATEWAY_TIMEOUT_MS: no call times out and comes again; and long enough that the
  // last of the 20 calls, which start in waves behind the payments' group commits, is
  // made before the first is answered, with time left to sample
  await settle({ latencyMs: 4000, failureRate: 0 });
  const ids = await publishOrders(env.amqpUrl, 20);
  await eventually(async () => (await provider()).inFlight >= 20, '20 charges in flight at once', 20_000, 20);
  // While they wait on the processor: which of this database's backends are in a transaction or a query?
  // A sample counts only when all 20 were still unanswered after it was taken: then no
  // payment could be recording its answer, and whatever is busy is held across the call.
  const samples: { inFlight: number; busy: number }[] = [];
  for (;;) {
    const [{ busy }] = await sql<{ busy: number }>(env.databaseUrl,
      `select count(*)::int as busy from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')`);
    const { inFlight } = await provider();
    if (inFlight < 20) break;
    samples.push({ inFlight, busy });
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(samples.length >= 2, `sampled ${samples.length} times during the calls`);
  const most = Math.max(...samples.map((s) => s.busy));
  // The relay's short passes may be caught at work; a transaction per charge would show 10 (the whole pool).
  assert.ok(most <= 2, `busy backends during the calls: ${JSON.stringify(samples)}`);
  // the 20 calls were in flight at once (above), so they ran in parallel: no wall-clock bound needed
  for (const id of ids) await eventually(async () => eventsFor(id).length === 1, `payment of ${id}`);
  for (const id of ids) await chargedOnce(id);
});

test('timeouts and 503s are retried with the same key and end in exactly one charge and one event', async () => {
  const RATE = 0.4;
  // Orders whose first call meets a fault and whose second or third gets through (the draws are seeded per key and call).
  const pick = (first: 'error' | 'timeout', count: number) => {
    const picked: OrderPersisted[] = [];
    while (picked.length < count) {
      const o = example('OrderPersisted');
      const f = (call: number) => faultOf(o.orderId, call, SEED, RATE, RATE);
      if (f(1) === first && (f(2) === undefined || f(3) === undefined)) picked.push(o);
    }
    return picked;
  };
  const orders = [...pick('error', 4), ...pick('timeout', 4)];
  await settle({ latencyMs: 50, failureRate: 0, errorRate: RATE, timeoutRate: RATE });
  await publishRaw(env.amqpUrl, orders.map((o) => rawEvent('OrderPersisted', o)));
  for (const o of orders) await eventually(async () => eventsFor(o.orderId).length === 1, `payment of ${o.orderId}`, 30_000);
  for (const o of orders) {
    const charge = await chargedOnce(o.orderId);
    const firstClean = [1, 2, 3].find((call) => faultOf(o.orderId, call, SEED, RATE, RATE) === undefined);
    assert.is(charge.calls, firstClean, `calls of ${o.orderId}`);
    assert.is(eventsFor(o.orderId)[0].type, 'PaymentSucceeded');
  }
  assert.equal(await drainQueue(env.amqpUrl, 'payment.dlq'), []);
});

test.run();
