// The consumer pipeline against the real broker and database: duplicates, retries
// with delays, dead letters with their headers, poison isolation, envelope propagation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { collect, createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { asService, drainQueue, publishRaw, queueDepth, tap, type Tap } from './support/amqp.ts';
import type { GetMessage } from 'amqplib';
import { example, rawEvent } from './support/builders.ts';
import { EFFECTS_TABLE, testServices } from './support/test-services.ts';
import { watchDeliveries } from './support/deliveries.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { PermanentError, TransientError } from '../runtime/errors.ts';
import { listDeadLetters, replayDeadLetters } from '../runtime/dead-letters.ts';
import { Header } from '../runtime/headers.ts';

let env: TestEnv;
let host: Host;
let second: Host | undefined;
let events: Tap;
const seen: { service: string; orderId: string; attempt: number; at: number }[] = [];
const failFor = new Map<string, Error>();
const deliveries = watchDeliveries();

/** Takes payment.dlq's messages over as many polls as it takes, until one matches each predicate; returns those. */
async function deadLetters(what: string, ...wanted: ((d: GetMessage) => boolean)[]): Promise<GetMessage[]> {
  const all = await collect(() => drainQueue(env.amqpUrl, 'payment.dlq'), (got) => wanted.every((w) => got.some(w)), what, 15_000);
  return wanted.map((w) => all.find(w)!);
}
const withMessageId = (id: string) => (d: GetMessage) => d.properties.messageId === id;
const ofOrder = (orderId: string) => (d: GetMessage) => {
  try {
    return JSON.parse(d.content.toString()).orderId === orderId;
  } catch {
    return false;
  }
};

const effects = (orderId: string) => sql<{ service: string }>(env.databaseUrl, 'select service from public.test_effects where order_id = $1', [orderId]);

test.before(async () => {
  env = await createTestEnv('runtime');
  await sql(env.databaseUrl, EFFECTS_TABLE);
  host = await startHost(env.config(), testServices({ seen, failFor, delayMs: 50 }), deliveries.options);
  events = await tap(env.amqpUrl, [{ exchange: 'shop.payments', routingKey: 'payment.succeeded' }]);
});

test.after(async () => {
  await events?.close();
  await second?.stop();
  await host?.stop();
  await env?.cleanup();
});

test('a message delivered twice (same messageId) has one effect and one outgoing event', async () => {
  const order = example('OrderPersisted');
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order, messageId)]);
  await eventually(async () => (await effects(order.orderId)).length === 2, 'payment and invoice effects');
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order, messageId)]);
  await deliveries.ended(messageId, 2); // the second copy too has been through the pipeline
  await events.settled();
  assert.equal((await effects(order.orderId)).map((e) => e.service).sort(), ['invoice', 'payment']);
  assert.is(events.messages.filter((m) => m.correlationId === order.orderId).length, 1);
  const outbox = await sql(env.databaseUrl, `select 1 from runtime.outbox where correlation_id = $1 and message_type = 'PaymentSucceeded'`, [order.orderId]);
  assert.is(outbox.length, 1);
});

test('the same message delivered concurrently to two consumers has one effect', async () => {
  second = await startHost(env.config(), testServices({ delayMs: 300 }), deliveries.options);
  try {
    const orders = Array.from({ length: 10 }, () => example('OrderPersisted'));
    const ids = orders.map(() => randomUUID());
    const copies = orders.flatMap((o, i) => [rawEvent('OrderPersisted', o, ids[i]), rawEvent('OrderPersisted', o, ids[i])]);
    await publishRaw(env.amqpUrl, copies);
    for (const o of orders) {
      await eventually(async () => (await effects(o.orderId)).length === 2, `effects of ${o.orderId}`);
    }
    for (const id of ids) await deliveries.ended(id, 2); // both copies, on either host
    await events.settled();
    for (const o of orders) {
      assert.equal((await effects(o.orderId)).map((e) => e.service).sort(), ['invoice', 'payment'], o.orderId);
      // at least once: the event may be delivered more than once, always as the same message
      const published = new Set(events.messages.filter((m) => m.correlationId === o.orderId).map((m) => m.messageId));
      assert.is(published.size, 1, `one PaymentSucceeded for ${o.orderId}`);
    }
  } finally {
    // the second host must not outlive this test: it would take deliveries meant for the next ones
    await second.stop();
    second = undefined;
  }
});

test('an event inherits the correlation id and has the consumed message as its cause', async () => {
  const order = example('OrderPersisted');
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order, messageId)]);
  const [event] = await eventually(async () => { const m = events.messages.filter((x) => x.correlationId === order.orderId); return m.length ? m : undefined; }, 'PaymentSucceeded');
  assert.is(event.correlationId, order.orderId);
  assert.is(event.headers[Header.causationId], messageId);
  assert.match(String(event.headers[Header.traceparent]), /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  assert.match(event.messageId, /^[0-9a-f-]{36}$/);
  assert.is.not(event.messageId, messageId);
});

test('a failing handler is retried with the configured delays, then dead-lettered with the error headers', async () => {
  const order = example('OrderPersisted');
  failFor.set(order.orderId, new TransientError(`gateway timeout for order ${order.orderId}`));
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order, messageId)]);
  const [dead] = await deadLetters('the dead letter', withMessageId(messageId));
  const attempts = seen.filter((s) => s.orderId === order.orderId);
  assert.equal(attempts.map((a) => a.attempt), [1, 2, 3]);
  // RETRY_DELAYS_MS=100,300 in the test configuration: each wait at least that long.
  assert.ok(attempts[1].at - attempts[0].at >= 100, `first wait ${attempts[1].at - attempts[0].at} ms`);
  assert.ok(attempts[2].at - attempts[1].at >= 300, `second wait ${attempts[2].at - attempts[1].at} ms`);
  const h = dead.properties.headers!;
  assert.is(dead.properties.messageId, messageId);
  assert.is(dead.properties.type, 'OrderPersisted');
  assert.match(String(h[Header.error]), `gateway timeout for order ${order.orderId}`);
  assert.match(String(h[Header.errorStack]), 'runtime.int.spec.ts');
  assert.is(Number(h[Header.attempts]), 3);
  assert.is(String(h[Header.originalExchange]), 'shop.orders');
  assert.is(String(h[Header.originalRoutingKey]), 'order.persisted');
  assert.ok(!Number.isNaN(Date.parse(String(h[Header.deadLetteredAt]))));
  assert.equal(JSON.parse(dead.content.toString()), order);
  assert.is((await effects(order.orderId)).length, 0);
});

test('a permanent error is dead-lettered at once, without retries', async () => {
  const order = example('OrderPersisted');
  failFor.set(order.orderId, new PermanentError('card number belongs to a closed account'));
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  const [dead] = await deadLetters('the dead letter', ofOrder(order.orderId));
  assert.is(Number(dead.properties.headers![Header.attempts]), 1);
  assert.equal(seen.filter((s) => s.orderId === order.orderId).map((s) => s.attempt), [1]);
});

test('an invalid payload is dead-lettered at once without running the handler', async () => {
  const order = example('OrderPersisted');
  const broken = { ...order, total: { amount: -5, currency: 'euro' }, surprise: true };
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [{ ...rawEvent('OrderPersisted', order, messageId), body: broken }]);
  const [dead] = await deadLetters('the dead letter', withMessageId(messageId));
  assert.is(dead.properties.messageId, messageId);
  assert.match(String(dead.properties.headers![Header.error]), '/total/amount');
  assert.match(String(dead.properties.headers![Header.error]), 'additional properties');
  assert.is(seen.filter((s) => s.orderId === order.orderId).length, 0);
});

test('unparseable bodies and messages without an envelope go to the dead-letter queue', async () => {
  const ids = await publishRaw(env.amqpUrl, [
    { exchange: 'shop.orders', routingKey: 'order.persisted', body: Buffer.from('{not json'), options: { type: 'OrderPersisted' } },
    { exchange: 'shop.orders', routingKey: 'order.persisted', body: example('OrderPersisted'), options: { type: 'OrderPersisted', messageId: 'not-a-uuid' } },
    { exchange: 'shop.orders', routingKey: 'order.persisted', body: example('OrderPersisted'), options: { type: undefined } },
  ]);
  const dead = await deadLetters('three dead letters', ...ids.map(withMessageId));
  const errors = dead.map((d) => String(d.properties.headers![Header.error])).sort();
  assert.ok(errors.some((e) => e.includes('is not JSON')), errors.join(' | '));
  assert.ok(errors.some((e) => e.includes('not-a-uuid is not a UUID')), errors.join(' | '));
  assert.ok(errors.some((e) => e.includes('no type property')), errors.join(' | '));
});

test('a healthy message behind a poison one is not held up', async () => {
  const poison = example('OrderPersisted');
  const healthy = example('OrderPersisted');
  failFor.set(poison.orderId, new TransientError('poison'));
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', poison), rawEvent('OrderPersisted', healthy)]);
  await eventually(async () => (await effects(healthy.orderId)).length >= 1, 'healthy order handled');
  await deadLetters('the poison dead-lettered', ofOrder(poison.orderId));
  assert.is(await queueDepth(env.amqpUrl, 'payment'), 0);
  // the handlers' own clocks, not the moment this test looked: a busy machine may look late
  const poisonAttempts = seen.filter((s) => s.orderId === poison.orderId && s.service === 'payment');
  const healthyAttempts = seen.filter((s) => s.orderId === healthy.orderId && s.service === 'payment');
  assert.equal(poisonAttempts.map((s) => s.attempt), [1, 2, 3]);
  assert.equal(healthyAttempts.map((s) => s.attempt), [1], 'the healthy message handled at its first delivery');
  assert.ok(healthyAttempts[0].at < poisonAttempts[2].at,
    `the healthy message handled while the poison one was still being retried (at ${healthyAttempts[0].at - poisonAttempts[0].at} ms, its last try at ${poisonAttempts[2].at - poisonAttempts[0].at} ms)`);
});

test('dead letters can be listed with their reason and replayed once the cause is fixed', async () => {
  const order = example('OrderPersisted');
  failFor.set(order.orderId, new PermanentError(`gateway rejects merchant for order ${order.orderId}`));
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order, messageId)]);
  const listed = await eventually(async () => { const l = await listDeadLetters(asService(env.amqpUrl, 'payment'), 'payment'); return l.length ? l : undefined; }, 'a dead letter');
  assert.equal(listed.map((l) => [l.messageId, l.type, l.correlationId, l.originalRoutingKey]), [[messageId, 'OrderPersisted', order.orderId, 'order.persisted']]);
  assert.match(listed[0].error, 'gateway rejects merchant');
  assert.is(await queueDepth(env.amqpUrl, 'payment.dlq'), 1, 'listing leaves the messages in place');

  failFor.delete(order.orderId);
  const replayed = await replayDeadLetters(asService(env.amqpUrl, 'payment'), 'payment');
  assert.equal(replayed.map((r) => r.messageId), [messageId]);
  await eventually(async () => (await effects(order.orderId)).length === 2, 'handled after the replay');
  assert.is(await queueDepth(env.amqpUrl, 'payment.dlq'), 0);
  const attempts = seen.filter((s) => s.orderId === order.orderId && s.service === 'payment').map((s) => s.attempt);
  assert.equal(attempts, [1, 1], 'the replay starts counting attempts afresh');
  // A replay that crashed after publishing, before its ack, leaves the dead letter in place (same
  // messageId, same sender): replaying it again changes nothing, the inbox knows it.
  await publishRaw(env.amqpUrl, [{
    exchange: 'payment.parking', routingKey: 'payment.dlq', body: order,
    options: { type: 'OrderPersisted', messageId, correlationId: order.orderId, headers: { [Header.sender]: 'store-order', [Header.error]: 'left by a crashed replay' } },
  }], 'payment');
  const again = await replayDeadLetters(asService(env.amqpUrl, 'payment'), 'payment');
  assert.equal(again.map((r) => r.messageId), [messageId]);
  await deliveries.ended(messageId, 3); // dead-lettered, handled once replayed, and now the second replay
  assert.is((await effects(order.orderId)).length, 2);
});

test('group commit: one transaction for many deliveries, a failing one does not take its neighbours down, duplicates still once', async () => {
  const batched = await startHost(env.config({ PREFETCH: '16' }), testServices({ seen, failFor, commit: { size: 8, lanes: 1 } }).slice(0, 1), deliveries.options);
  try {
    await host.stop();
    const orders = Array.from({ length: 24 }, () => example('OrderPersisted'));
    failFor.set(orders[5].orderId, new PermanentError('declined for good'));
    failFor.set(orders[17].orderId, new TransientError('flaky gateway'));
    const ids = orders.map(() => randomUUID());
    const duplicate = ids[9];
    await publishRaw(env.amqpUrl, [
      ...orders.map((o, i) => rawEvent('OrderPersisted', o, ids[i])),
      rawEvent('OrderPersisted', orders[9], duplicate),
    ]);
    const healthy = orders.filter((_, i) => i !== 5 && i !== 17);
    for (const o of healthy) await eventually(async () => (await effects(o.orderId)).length >= 1, `payment effect of ${o.orderId}`);
    // every delivery ended (a dead letter is in its queue before the ack): the dead-letter queue holds all there will be
    for (const id of ids) await deliveries.ended(id, id === duplicate ? 2 : 1);
    const dead = await drainQueue(env.amqpUrl, 'payment.dlq');
    const ours = dead.map((d) => JSON.parse(d.content.toString()).orderId).filter((id: string) => orders.some((o) => o.orderId === id));
    assert.equal(ours.sort(), [orders[5].orderId, orders[17].orderId].sort());
    for (const o of healthy) assert.equal((await effects(o.orderId)).map((e) => e.service), ['payment'], o.orderId);
    const outbox = await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from runtime.outbox where message_type = 'PaymentSucceeded' and correlation_id = any($1::text[])`, [orders.map((o) => o.orderId)]);
    assert.is(outbox[0].n, healthy.length);
    // Inbox rows written by one transaction share its xmin (they are never updated). A group with a
    // failing delivery is committed one by one, so count among a second round without failures.
    const calm = Array.from({ length: 24 }, () => ({ order: example('OrderPersisted'), messageId: randomUUID() }));
    await publishRaw(env.amqpUrl, calm.map(({ order, messageId }) => rawEvent('OrderPersisted', order, messageId)));
    for (const { order } of calm) await eventually(async () => (await effects(order.orderId)).length >= 1, `payment effect of ${order.orderId}`);
    const [{ transactions }] = await sql<{ transactions: number }>(env.databaseUrl,
      `select count(distinct xmin::text)::int as transactions from runtime.inbox where consumer = 'payment' and message_id = any($1::uuid[])`,
      [calm.map((c) => c.messageId)]);
    assert.ok(transactions < calm.length / 2, `${calm.length} deliveries committed in ${transactions} transactions`);
  } finally {
    await batched.stop();
  }
});

test.run();
