// invoice against the real broker and database: one numbered invoice per paid
// order, from the PaymentSucceeded alone, however many payment events name it; and
// the payments of one group commit invoiced together, in two statements.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw, tap, type Tap } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { handled, outboxOf } from './support/shop.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { invoice } from '../handlers/invoice/index.ts';
import { onPaymentSucceeded } from '../handlers/invoice/onPaymentSucceeded.ts';
import { inTransaction, type EntityManager } from '../runtime/db.ts';
import { messages } from '../generated/registry.ts';
import type { PaymentSucceeded } from '../generated/types.ts';

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

// ---------------------------------------------------------------- the group step, called directly

const sequenceOf = (invoiceNumber: string) => BigInt(invoiceNumber.split('-')[2]!);

/**
 * Invoices the payments as one group commit would: one transaction, one call of the
 * group step. Returns each payment's events, the warnings logged and how many
 * statements the step sent.
 */
async function invoicedInOneGroup(payments: readonly PaymentSucceeded[]) {
  const warnings: { orderId: string; msg: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(JSON.parse(line)); } });
  let statements = 0;
  const events = await inTransaction(host.databases.get('invoice')!, (em) => {
    const counted = new Proxy(em, {
      get: (target, key) => key === 'execute'
        ? (...args: Parameters<EntityManager['execute']>) => { statements += 1; return target.execute(...args); }
        : Reflect.get(target, key),
    });
    return onPaymentSucceeded.group(payments.map((message) => ({
      message, ctx: { service: 'invoice', sender: 'payment', messageId: randomUUID(), type: 'PaymentSucceeded' as const, correlationId: message.orderId, attempt: 1, em: counted, log },
    })));
  });
  return { events, warnings, statements };
}

test('a group of five paid orders: one invoice and one event each, numbered in the group\'s order, in two statements', async () => {
  const payments = Array.from({ length: 5 }, () => example('PaymentSucceeded'));
  const { events, warnings, statements } = await invoicedInOneGroup(payments);
  assert.is(statements, 2, 'the numbers, then the invoices');
  assert.equal(events.map((e) => e.map((x) => x.type)), payments.map(() => ['InvoiceCreated']));
  assert.equal(warnings, []);
  const created = events.map((e) => e[0]!.payload as { orderId: string; invoiceId: string; invoiceNumber: string });
  assert.equal(created.map((c) => c.orderId), payments.map((p) => p.orderId));
  const sequence = created.map((c) => sequenceOf(c.invoiceNumber));
  assert.ok(sequence.every((n, k) => k === 0 || sequence[k - 1]! < n), `increasing in the group's order: ${sequence.join(', ')}`);
  for (const [k, p] of payments.entries()) {
    const rows = await invoicesOf(p.orderId);
    assert.equal(rows.map((r) => [r.invoice_id, r.invoice_number]), [[created[k]!.invoiceId, created[k]!.invoiceNumber]]);
  }
});

test('a group holding two PaymentSucceeded of one order: one invoice, the first gets the event, the second none', async () => {
  const [twice, other] = [example('PaymentSucceeded'), example('PaymentSucceeded')];
  const again = { ...twice, paymentId: randomUUID(), email: 'second.payment@example.com' };
  const { events, warnings } = await invoicedInOneGroup([twice, other, again]);
  assert.equal(events.map((e) => e.length), [1, 1, 0]);
  const [row, ...more] = await invoicesOf(twice.orderId);
  assert.is(more.length, 0, 'one invoice for the order');
  const first = events[0]![0]!.payload as { invoiceId: string; email: string };
  assert.equal([row!.invoice_id, row!.email, first.email], [first.invoiceId, twice.email, twice.email], 'the invoice is the first one\'s, built from its data');
  assert.is((await invoicesOf(other.orderId)).length, 1);
  assert.equal(warnings.map((w) => [w.orderId, w.msg]), [[twice.orderId, 'order already invoiced; no second invoice']]);
});

test('an order id in capitals is the same order: one invoice, one event, for the first of the group', async () => {
  const payment = example('PaymentSucceeded');
  const { events } = await invoicedInOneGroup([{ ...payment, orderId: payment.orderId.toUpperCase() }, payment]);
  assert.equal(events.map((e) => e.length), [1, 0]);
  assert.is((await invoicesOf(payment.orderId)).length, 1);
});

test('an order invoiced by an earlier transaction gets no second invoice and no event; the new orders of its group get theirs', async () => {
  const earlier = example('PaymentSucceeded');
  const [first] = (await invoicedInOneGroup([earlier])).events;
  const before = (first![0]!.payload as { invoiceNumber: string }).invoiceNumber;
  const [one, other] = [example('PaymentSucceeded'), example('PaymentSucceeded')];
  const { events, warnings } = await invoicedInOneGroup([one, { ...earlier, paymentId: randomUUID() }, other]);
  assert.equal(events.map((e) => e.length), [1, 0, 1]);
  assert.equal((await invoicesOf(earlier.orderId)).map((r) => r.invoice_number), [before]);
  assert.equal(warnings.map((w) => w.orderId), [earlier.orderId]);
  assert.is((await invoicesOf(one.orderId)).length, 1);
  assert.is((await invoicesOf(other.orderId)).length, 1);
});

test.run();
