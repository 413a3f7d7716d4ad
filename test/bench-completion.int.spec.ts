// How the bench reads which orders are complete (bench/support/completion.ts), on a migrated
// database: an order is complete once its terminal event is in the timeline and every
// e-mail its outcome calls for was sent, at the later of the two times; only the orders
// asked about are read, and one found complete is not read again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { readCompletions } from '../bench/support/completion.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { migrate } from '../runtime/migrate.ts';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';

let env: TestEnv;
let db: Database;

test.before(async () => {
  env = await createTestEnv('bench_completion');
  db = await openDatabase({ url: env.databaseUrl, poolMax: 2 });
  await migrate(db, env.databaseUrl);
});

test.after(async () => {
  await db?.close();
  await env?.cleanup();
});

const T0 = Date.parse('2026-11-27T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

const event = (orderId: string, type: string, ms: number) => sql(env.databaseUrl,
  `insert into timeline.order_events (order_id, message_id, type, at, payload) values ($1, $2, $3, $4, '{}')`, [orderId, randomUUID(), type, at(ms)]);
const email = (kind: string, subjectKey: string, sentMs: number | undefined) => sql(env.databaseUrl,
  `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id, status, sent_at)
   values ($1, $2, $3, 'jane@example.com', 's', 't', 'h', $4, $5, $6)`,
  [randomUUID(), kind, subjectKey, `<${randomUUID()}@test>`, sentMs === undefined ? 'pending' : 'sent', sentMs === undefined ? null : at(sentMs)]);
const invoice = async (orderId: string) => {
  const invoiceId = randomUUID();
  await sql(env.databaseUrl, `insert into invoice.invoices (invoice_id, order_id, invoice_number, customer_id, email, total_amount, currency, lines, issued_at)
    values ($1, $2, $3, $4, 'jane@example.com', 100, 'EUR', '[]', now())`, [invoiceId, orderId, `INV-${invoiceId.slice(0, 8)}`, randomUUID()]);
  return invoiceId;
};

test('complete: the terminal event and every e-mail its outcome calls for sent, at the later time; nothing less', async () => {
  const [paid, paidMailLater, invoiceMailPending, cancelled, rejectedNoMail, notAsked] = Array.from({ length: 6 }, () => randomUUID());
  // paid: both e-mails sent before the invoice event was recorded
  await event(paid, 'OrderCreated', 0);
  await event(paid, 'InvoiceCreated', 500);
  await email('order-confirmation', paid, 300);
  await email('invoice', await invoice(paid), 400);
  // paid, its invoice e-mail sent after the event
  await event(paidMailLater, 'InvoiceCreated', 500);
  await email('order-confirmation', paidMailLater, 300);
  await email('invoice', await invoice(paidMailLater), 900);
  // paid, its invoice e-mail still pending
  await event(invoiceMailPending, 'InvoiceCreated', 500);
  await email('order-confirmation', invoiceMailPending, 300);
  await email('invoice', await invoice(invoiceMailPending), undefined);
  // cancelled: one e-mail
  await event(cancelled, 'OrderCancelled', 200);
  await email('cancellation', cancelled, 250);
  // rejected, its e-mail not yet queued
  await event(rejectedNoMail, 'OrderRejected', 100);
  // complete, but not asked about
  await event(notAsked, 'OrderRejected', 100);
  await email('rejection', notAsked, 150);

  const found = new Map<string, number>();
  await readCompletions(env.databaseUrl, found, [paid, paidMailLater, invoiceMailPending, cancelled, rejectedNoMail]);
  assert.equal(new Map([...found].sort()), new Map([[paid, T0 + 500], [paidMailLater, T0 + 900], [cancelled, T0 + 250]].sort() as [string, number][]));

  // found once, kept: a later read neither drops nor moves it
  await sql(env.databaseUrl, `update mail.emails set sent_at = $1 where subject_key = $2`, [at(5000), cancelled]);
  await email('rejection', rejectedNoMail, 120);
  await readCompletions(env.databaseUrl, found, [paid, paidMailLater, invoiceMailPending, cancelled, rejectedNoMail]);
  assert.is(found.get(cancelled), T0 + 250);
  assert.is(found.get(rejectedNoMail), T0 + 120);
  assert.not.ok(found.has(invoiceMailPending));
  assert.not.ok(found.has(notAsked));
});

test.run();
