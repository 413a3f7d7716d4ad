// Each service on the broker as its own user, against the real RabbitMQ: the broker
// refuses what the contract does not let a service publish, and a consumer
// dead-letters, with the reason, a message whose sender may not send it: also where
// the broker's permissions were left looser than the contract's (here: loosened by
// the test, as a careless operator would), and also when it is replayed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { startHost, type Host } from '../runtime/host.ts';
import { invoice } from '../handlers/invoice/index.ts';
import { replayDeadLetters } from '../runtime/dead-letters.ts';
import { Header } from '../runtime/headers.ts';
import { asService, drainQueue, publishRaw, queueDepth, tap, type Tap } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { createTestEnv, eventually, management, sql, type TestEnv } from './support/env.ts';

let env: TestEnv;
let host: Host;
let invoices: Tap;

test.before(async () => {
  env = await createTestEnv('identity');
  host = await startHost(env.config(), [invoice]);
  invoices = await tap(env.amqpUrl, [{ exchange: 'shop.invoices', routingKey: 'invoice.created' }]);
});

test.after(async () => {
  await invoices?.close();
  await host?.stop();
  await env?.cleanup();
});

/** Publishes one message on a fresh connection; resolves to the broker's refusal, or undefined once confirmed. */
async function refusal(url: string, exchange: string, routingKey: string, options: amqp.Options.Publish = {}): Promise<string | undefined> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    const closed = new Promise<string>((resolve) => {
      ch.on('error', (err: Error) => resolve(err.message));
      ch.on('close', () => resolve('channel closed'));
    });
    const confirmed = new Promise<string | undefined>((resolve) => {
      ch.publish(exchange, routingKey, Buffer.from('{}'), { messageId: randomUUID(), type: 'PaymentSucceeded', ...options }, (err) => resolve(err ? String(err.message ?? err) : undefined));
    });
    const outcome = await Promise.race([confirmed, closed]);
    // a refusal closes the channel: wait for its reason rather than take the bare nack
    return outcome === undefined ? undefined : await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r(outcome), 2000))]);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

const invoiceRows = async (orderId: string) =>
  (await sql<{ n: number }>(env.databaseUrl, 'select count(*)::int as n from invoice.invoices where order_id = $1', [orderId]))[0].n;

/** Waits for dead letters in invoice.dlq and takes them all (acked: the test owns them). */
async function deadLettersOfInvoice(count: number): Promise<amqp.GetMessage[]> {
  const taken: amqp.GetMessage[] = [];
  await eventually(async () => {
    taken.push(...await drainQueue(env.amqpUrl, 'invoice.dlq'));
    return taken.length >= count;
  }, `${count} dead letter(s) in invoice.dlq (have ${taken.length})`);
  return taken;
}

/** The careless operator: store-order may now write anywhere in this vhost. */
async function loosenStoreOrder(): Promise<void> {
  const where = `/${encodeURIComponent(env.vhost)}/store-order`;
  await management(`/permissions${where}`, { method: 'PUT', body: JSON.stringify({ configure: '^$', write: '.*', read: '^$' }) });
  await management(`/topic-permissions${where}`, { method: 'DELETE' });
}

test('the broker refuses what the contract does not let a service publish', async () => {
  const storeOrder = asService(env.amqpUrl, 'store-order');
  // not an exchange store-order sends to
  assert.match(await refusal(storeOrder, 'shop.payments', 'payment.succeeded', { userId: 'store-order' }) ?? 'accepted', /ACCESS_REFUSED/);
  // its own exchange, but another service's routing key (a topic permission)
  assert.match(await refusal(storeOrder, 'shop.orders', 'order.created', { userId: 'store-order' }) ?? 'accepted', /ACCESS_REFUSED/);
  // straight into another service's queue
  assert.match(await refusal(storeOrder, '', 'invoice', { userId: 'store-order' }) ?? 'accepted', /ACCESS_REFUSED/);
  // a user-id that is not the connection's own user
  assert.match(await refusal(storeOrder, 'shop.orders', 'order.persisted', { userId: 'payment' }) ?? 'accepted', /PRECONDITION_FAILED/);
  // and what it does send goes through
  assert.is(await refusal(storeOrder, 'shop.orders', 'order.persisted', { userId: 'store-order' }), undefined);
});

test('a PaymentSucceeded forged by another service\'s user is dead-lettered with the reason, where the broker lets it through', async () => {
  await loosenStoreOrder();
  const forged = example('PaymentSucceeded');
  const genuine = example('PaymentSucceeded');
  await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', forged)], 'store-order');
  await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', genuine)]); // as payment, its producer

  await eventually(async () => invoices.messages.some((m) => m.correlationId === genuine.orderId), 'the genuine payment invoiced');
  const [letter] = await deadLettersOfInvoice(1);
  assert.is(letter.properties.correlationId, forged.orderId);
  assert.match(String(letter.properties.headers?.[Header.error]), /PaymentSucceeded arrived at invoice from the broker user "store-order", but the contract lets only payment send it/);
  assert.is(letter.properties.headers?.[Header.sender], 'store-order', 'the dead letter names its real sender');
  assert.is(await invoiceRows(forged.orderId), 0, 'no invoice for the forged payment');
  assert.not.ok(invoices.messages.some((m) => m.correlationId === forged.orderId));
});

test('a message without a user-id has no known sender: dead-lettered', async () => {
  const anonymous = example('PaymentSucceeded');
  await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', anonymous)], 'admin');
  const [letter] = await deadLettersOfInvoice(1);
  assert.is(letter.properties.correlationId, anonymous.orderId);
  assert.match(String(letter.properties.headers?.[Header.error]), /PaymentSucceeded arrived at invoice without a user-id: its sender is unknown \(the contract lets payment send it\)/);
  assert.is(await invoiceRows(anonymous.orderId), 0);
});

test('a forged message replayed from the dead-letter queue is dead-lettered again: the replay keeps its sender', async () => {
  await loosenStoreOrder();
  const forged = example('PaymentSucceeded');
  const [forgedId] = await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', forged)], 'store-order');
  await eventually(async () => (await queueDepth(env.amqpUrl, 'invoice.dlq')) === 1, 'the forged message in invoice.dlq');
  const replayed = await replayDeadLetters(asService(env.amqpUrl, 'invoice'), 'invoice');
  assert.equal(replayed.map((l) => l.messageId), [forgedId]);
  const [again] = await deadLettersOfInvoice(1);
  assert.is(again.properties.messageId, forgedId, 'dead-lettered again');
  assert.ok(again.properties.headers?.[Header.replayedAt], 'after its replay');
  assert.is(again.properties.headers?.[Header.sender], 'store-order');
  assert.match(String(again.properties.headers?.[Header.error]), /from the broker user "store-order"/);
  assert.is(await invoiceRows(forged.orderId), 0);
});

test.run();
