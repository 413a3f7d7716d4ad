// test-lock: all-services (every service at once: two such files together come near PostgreSQL's 100 connections)
// The whole system in one process, under contention and under bad input:
// 300 concurrent HTTP orders for a product with stock 50, and malformed or
// schema-invalid messages published straight to the exchanges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collect, createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { drainQueue, publishRaw } from './support/amqp.ts';
import { addProduct, pipelineIdle, postOrder, stockOf } from './support/shop.ts';
import { freePort, startSmtpServer, type TestSmtpServer } from './support/smtp.ts';
import { example, rawEvent } from './support/builders.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { Header } from '../runtime/headers.ts';
import { selectServices } from '../handlers/index.ts';

let env: TestEnv;
let smtp: TestSmtpServer;
let host: Host;
let apiUrl: string;

test.before(async () => {
  env = await createTestEnv('shop');
  smtp = await startSmtpServer();
  const port = await freePort();
  host = await startHost(env.config({
    PORT: String(port), SMTP_URL: smtp.url, PAYMENT_FAILURE_RATE: '0', PAYMENT_LATENCY_MS: '2', PREFETCH: '32',
  }), await selectServices('all'));
  apiUrl = `http://127.0.0.1:${port}`;
});

test.after(async () => {
  await host?.stop();
  await smtp?.close();
  await env?.cleanup();
});

// Payments all succeed here: a cancelled order would give its unit back to a later one.
test('300 concurrent orders for a product with stock 50: exactly 50 units sold, 250 orders rejected, stock never negative', async () => {
  await addProduct(env.databaseUrl, 'L0050', 50, 2499);
  let lowest = 50;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      lowest = Math.min(lowest, await stockOf(env.databaseUrl, 'L0050'));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const ids = await Promise.all(Array.from({ length: 300 }, async (_, i) => {
    const res = await postOrder(apiUrl, { customerId: '1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30', email: `rush-${i}@example.com`, items: [{ productId: 'L0050', quantity: 1 }] });
    assert.is(res.status, 202);
    return ((await res.json()) as { orderId: string }).orderId;
  }));
  const terminal = new Set(['INVOICED', 'CANCELLED', 'REJECTED']);
  const statuses = await eventually(async () => {
    const all = await Promise.all(ids.map(async (id) => ((await (await fetch(`${apiUrl}/orders/${id}`)).json()) as { status: string }).status));
    return all.every((s) => terminal.has(s)) ? all : undefined;
  }, 'all 300 orders settled', 120_000, 500);
  watching = false;
  await watcher;
  const count = (s: string) => statuses.filter((x) => x === s).length;
  assert.is(count('INVOICED'), 50, 'exactly 50 orders got a unit');
  assert.is(count('REJECTED'), 250);
  assert.ok(lowest >= 0, `stock never negative (lowest seen ${lowest})`);
  assert.is(await stockOf(env.databaseUrl, 'L0050'), 0);
  const [{ n }] = await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from shop.orders o join shop.order_lines l using (order_id) where l.product_id = 'L0050' and o.status = 'PERSISTED'`);
  assert.is(n, count('INVOICED'));
});

test('malformed and schema-invalid messages land in the dead-letter queues of their consumers, and nothing else changes', async () => {
  const snapshot = async () => sql(env.databaseUrl, `select
      (select count(*) from shop.orders)::int as orders, (select sum(stock_on_hand) from shop.products)::int as stock,
      (select count(*) from payment.payments)::int as payments, (select count(*) from invoice.invoices)::int as invoices,
      (select count(*) from timeline.order_events)::int as timeline, (select count(*) from mail.emails)::int as emails,
      (select count(*) from runtime.outbox where message_type <> 'LogEmitted')::int as events`);
  await pipelineIdle(env.databaseUrl); // what the test before set going is over: the snapshot holds still
  const before = await snapshot();
  const created = example('OrderCreated');
  const persisted = example('OrderPersisted');
  const [malformed, invalidCreated, invalidPersisted] = await publishRaw(env.amqpUrl, [
    { ...rawEvent('OrderCreated', created), body: Buffer.from('{"orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01", "items": [') },
    { ...rawEvent('OrderCreated', created), body: { ...created, items: [{ productId: 'A1215', quantity: 0 }] } },
    { ...rawEvent('OrderPersisted', persisted), body: { ...persisted, total: { amount: 100, currency: 'EUR', discount: 5 } } },
  ]);
  // order.created goes to store-order and order-timeline; order.persisted to payment and order-timeline.
  const expectations: [string, string[]][] = [
    ['store-order.dlq', [malformed, invalidCreated]],
    ['payment.dlq', [invalidPersisted]],
    ['order-timeline.dlq', [malformed, invalidCreated, invalidPersisted]],
  ];
  for (const [queue, ids] of expectations) {
    const dead = await collect(() => drainQueue(env.amqpUrl, queue), (got) => got.length >= ids.length, `${ids.length} dead letters in ${queue}`);
    assert.equal(dead.map((d) => d.properties.messageId).sort(), [...ids].sort(), queue);
    for (const d of dead) assert.ok(String(d.properties.headers?.[Header.error] ?? '').length > 0, `${queue}: reason recorded`);
  }
  // Every consumer of the three has dead-lettered them (a dead letter commits nothing), and whatever
  // the failures emitted (their LogEmitted) has been handled: a change they caused would show now.
  await pipelineIdle(env.databaseUrl);
  assert.equal(await snapshot(), before, 'no order, stock, payment, invoice, timeline entry, e-mail or event came of them');
});

test.run();
