// invoice against the real broker and database: one numbered invoice per paid
// order, from the PaymentSucceeded alone, however many payment events name it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw, tap, type Tap } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { handled, outboxOf } from './support/shop.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { invoice } from '../handlers/invoice/index.ts';
import { messages } from '../generated/registry.ts';

let env: TestEnv;
let host: Host;
let events: Tap;

test.before(async () => {
  env = await createTestEnv('invoice');
  host = await startHost(env.config(), [invoice]);
  events = await tap(env.amqpUrl, [{ exchange: 'shop.invoices', routingKey: 'invoice.created' }]);
});

test.after(async () => {
  await events?.close();
  await host?.stop();
  await env?.cleanup();
});

const invoicesOf = (orderId: string) =>
  sql<{ invoice_id: string; invoice_number: string; total_amount: number; currency: string; lines: unknown; email: string }>(env.databaseUrl,
    'select invoice_id, invoice_number, total_amount, currency, lines, email from invoice.invoices where order_id = $1', [orderId]);
const invoiceEventOf = (orderId: string) =>
  eventually(async () => events.messages.find((m) => m.correlationId === orderId), `InvoiceCreated for ${orderId}`);

test('a paid order gets an invoice numbered INV-<year>-<6+ digits>, built from the payment event', async () => {
  const payment = example('PaymentSucceeded', { amount: { amount: 12345, currency: 'EUR' }, email: 'invoice.reader@example.com' });
  await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', payment)]);
  const event = await invoiceEventOf(payment.orderId);
  assert.is(event.type, 'InvoiceCreated');
  assert.ok(messages.InvoiceCreated.validate(event.body), 'the event fits the contract');
  assert.match(event.body.invoiceNumber, new RegExp(`^INV-${new Date().getUTCFullYear()}-[0-9]{6,}$`));
  assert.equal(event.body.lines, payment.lines);
  assert.equal(event.body.total, payment.amount);
  assert.is(event.body.customerId, payment.customerId);
  assert.is(event.body.email, 'invoice.reader@example.com');
  const [row] = await invoicesOf(payment.orderId);
  assert.equal(row, {
    invoice_id: event.body.invoiceId, invoice_number: event.body.invoiceNumber, total_amount: 12345, currency: 'EUR',
    lines: payment.lines, email: 'invoice.reader@example.com',
  });
});

test('invoice numbers are distinct and grow', async () => {
  const payments = [example('PaymentSucceeded'), example('PaymentSucceeded'), example('PaymentSucceeded')];
  for (const p of payments) {
    await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', p)]);
    await invoiceEventOf(p.orderId);
  }
  const numbers = payments.map((p) => events.messages.find((m) => m.correlationId === p.orderId)!.body.invoiceNumber as string);
  const sequence = numbers.map((n) => Number(n.split('-')[2]));
  assert.ok(sequence[0] < sequence[1] && sequence[1] < sequence[2], numbers.join(', '));
});

test('a second PaymentSucceeded for an invoiced order (new messageId) issues no second invoice', async () => {
  const payment = example('PaymentSucceeded');
  await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', payment)]);
  await invoiceEventOf(payment.orderId);
  const [again] = await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', { ...payment, paymentId: randomUUID() })]);
  await handled(env.databaseUrl, 'invoice', again);
  assert.is((await invoicesOf(payment.orderId)).length, 1);
  assert.is((await outboxOf(env.databaseUrl, payment.orderId, 'InvoiceCreated')).length, 1);
});

test('two different PaymentSucceeded for one order handled at the same time issue one invoice', async () => {
  const payment = example('PaymentSucceeded');
  const ids = await publishRaw(env.amqpUrl, [rawEvent('PaymentSucceeded', payment), rawEvent('PaymentSucceeded', payment)]);
  for (const id of ids) await handled(env.databaseUrl, 'invoice', id);
  assert.is((await invoicesOf(payment.orderId)).length, 1);
  assert.is((await outboxOf(env.databaseUrl, payment.orderId, 'InvoiceCreated')).length, 1);
});

test.run();
