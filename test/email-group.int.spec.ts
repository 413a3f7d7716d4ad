// The e-mail services' group steps against a real PostgreSQL, through the runtime's own
// group commit (runtime/commit-deliveries.ts), as under load: the e-mails of a group of
// messages are queued in one statement (one statement per message type), one per kind
// and subject also when a subject comes twice in a group, each row and log line in its
// own message's trace; one recipient that is not a single address leaves the others
// queued and fails its own delivery alone, as a permanent failure (dead-lettered).
import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MessageName, MessagePayloads } from '../generated/types.ts';
import { onOrderRejected } from '../handlers/cancel-email/onOrderRejected.ts';
import { onPaymentFailed } from '../handlers/cancel-email/onPaymentFailed.ts';
import { onInvoiceCreated } from '../handlers/invoice-email/onInvoiceCreated.ts';
import { onPaymentSucceeded } from '../handlers/order-confirmation-email/onPaymentSucceeded.ts';
import { bindHandlers } from '../runtime/bind-handlers.ts';
import { deliveryCommitter, type Committed, type Delivery } from '../runtime/commit-deliveries.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { isPermanent, PermanentError } from '../runtime/errors.ts';
import { decideFailure } from '../runtime/failure-policy.ts';
import { Header } from '../runtime/headers.ts';
import { capturingLogger } from './support/log-lines.ts';
import { migrate } from '../runtime/migrate.ts';
import { queuePlanFor } from '../runtime/topology.ts';
import { contextOfTraceparent, SpanKind, startSpan, useTraceContext } from '../runtime/tracing.ts';
import { example } from './support/builders.ts';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';

let env: TestEnv;
let db: Database;
const { log, lines } = capturingLogger({ logLevel: 'info' }, { app: 'email-group-test' });

test.before(async () => {
  useTraceContext(); // as every service process does: a span made active is seen by what runs in it
  env = await createTestEnv('email_group');
  db = await openDatabase({ url: env.databaseUrl, poolMax: 2 });
  await migrate(db, env.databaseUrl);
});

test.after(async () => {
  await db?.close();
  await env?.cleanup();
});

const services = {
  'order-confirmation-email': { onPaymentSucceeded },
  'invoice-email': { onInvoiceCreated },
  'cancel-email': { onOrderRejected, onPaymentFailed },
} as const;
type EmailService = keyof typeof services;

const producers = { PaymentSucceeded: 'payment', PaymentFailed: 'payment', InvoiceCreated: 'invoice', OrderRejected: 'store-order' } as const;
type EmailCause = keyof typeof producers;

interface TestDelivery extends Delivery {
  /** The trace of the message (its traceparent's), which its e-mail and log lines must continue. */
  readonly traceId: string;
}

const customer = () => `group-${randomUUID().slice(0, 8)}@example.com`;

/** A message as the consumer hands it to the commit after validation: its own trace, its delivery span. */
function delivery<N extends EmailCause>(type: N, overrides: Partial<MessagePayloads[N]> = {}): TestDelivery {
  const base = example(type as MessageName, { email: customer(), ...(type === 'InvoiceCreated' ? { invoiceId: randomUUID() } : {}) }) as MessagePayloads[N];
  const message = { ...base, ...overrides };
  const traceId = randomBytes(16).toString('hex');
  const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  const orderId = (message as { orderId: string }).orderId;
  return {
    envelope: { messageId: randomUUID(), type, correlationId: orderId, causationId: undefined, traceparent, attempt: 1, appId: undefined },
    type,
    message,
    span: startSpan(`handle ${type}`, SpanKind.CONSUMER, contextOfTraceparent(traceparent), {}),
    sender: producers[type],
    traceId,
  };
}

/**
 * Commits the deliveries as one group, the way the group commit makes one under load:
 * with a single lane, a lead delivery (another message) takes the lane alone, and
 * whatever is submitted while it commits is taken together once the lane is free.
 */
async function commitAsOneGroup(service: EmailService, deliveries: readonly TestDelivery[]): Promise<PromiseSettledResult<Committed>[]> {
  const commit = deliveryCommitter(db, log, { service, handlers: bindHandlers(service, services[service]), commit: { size: deliveries.length, lanes: 1 } });
  const lead = commit(delivery(deliveries[0]!.type as EmailCause));
  const together = Promise.allSettled(deliveries.map((d) => commit(d)));
  assert.is(await lead, 'handled');
  return together;
}

interface EmailRow {
  kind: string;
  subject_key: string;
  recipient: string;
  traceparent: string;
  /** The transaction that wrote the row, and its statement within the transaction. */
  xmin: string;
  cmin: string;
  created_at: Date;
}

async function rowsAbout(subjectKeys: readonly string[]): Promise<EmailRow[]> {
  return sql<EmailRow>(env.databaseUrl,
    'select kind, subject_key, recipient, traceparent, xmin::text, cmin::text, created_at from mail.emails where subject_key = any($1)', [subjectKeys]);
}

const subjectOf = (d: TestDelivery): string => {
  const m = d.message as { orderId: string; invoiceId?: string };
  return d.type === 'InvoiceCreated' ? m.invoiceId! : m.orderId;
};
const linesOf = (d: TestDelivery, msg: string) => lines.filter((l) => l.messageId === d.envelope.messageId && l.msg === msg);
const statements = (rows: readonly EmailRow[]) => new Set(rows.map((r) => `${r.xmin}/${r.cmin}`)).size;

test('each e-mail service queues the e-mails of a group in one statement per message type, one row each', async () => {
  const groups: [EmailService, TestDelivery[]][] = [
    ['order-confirmation-email', [delivery('PaymentSucceeded'), delivery('PaymentSucceeded'), delivery('PaymentSucceeded')]],
    ['invoice-email', [delivery('InvoiceCreated'), delivery('InvoiceCreated'), delivery('InvoiceCreated')]],
    ['cancel-email', [delivery('OrderRejected'), delivery('PaymentFailed'), delivery('OrderRejected'), delivery('PaymentFailed')]],
  ];
  for (const [service, deliveries] of groups) {
    const outcomes = await commitAsOneGroup(service, deliveries);
    assert.equal(outcomes.map((o) => o.status === 'fulfilled' ? o.value : o.reason), deliveries.map(() => 'handled'), service);
    const rows = await rowsAbout(deliveries.map(subjectOf));
    assert.is(rows.length, deliveries.length, `${service}: one row per message`);
    for (const d of deliveries) {
      const [row] = rows.filter((r) => r.subject_key === subjectOf(d));
      assert.is(row?.recipient, (d.message as { email: string }).email, `${service}: ${d.type}'s e-mail goes to its own address`);
    }
    assert.is(new Set(rows.map((r) => r.xmin)).size, 1, `${service}: one transaction`);
    for (const kind of new Set(rows.map((r) => r.kind))) {
      assert.is(statements(rows.filter((r) => r.kind === kind)), 1, `${service}: the ${kind} e-mails in one statement`);
    }
  }
});

test('in a group, each e-mail and its log line continue the trace of its own message, not the group\'s first', async () => {
  const deliveries = [delivery('PaymentSucceeded'), delivery('PaymentSucceeded'), delivery('PaymentSucceeded')];
  await commitAsOneGroup('order-confirmation-email', deliveries);
  const rows = await rowsAbout(deliveries.map(subjectOf));
  assert.is(statements(rows), 1, 'one group, one statement');
  for (const d of deliveries) {
    const row = rows.find((r) => r.subject_key === subjectOf(d))!;
    assert.match(row.traceparent, new RegExp(`^00-${d.traceId}-[0-9a-f]{16}-01$`), 'the e-mail is in its message\'s trace');
    const [queued, ...more] = linesOf(d, 'e-mail queued');
    assert.is(more.length, 0);
    assert.is(queued?.trace_id, d.traceId, 'its "e-mail queued" line carries its own message\'s trace id');
    assert.is(queued?.subjectKey, subjectOf(d));
  }
});

test('the same order twice in one group: one e-mail, the first message\'s; the second is logged as already queued', async () => {
  const first = delivery('PaymentSucceeded');
  const orderId = subjectOf(first);
  const other = delivery('PaymentSucceeded');
  const second = delivery('PaymentSucceeded', { orderId }); // a distinct message (own id, own address) about the same order
  const outcomes = await commitAsOneGroup('order-confirmation-email', [first, other, second]);
  assert.ok(outcomes.every((o) => o.status === 'fulfilled' && o.value === 'handled'));
  const rows = await rowsAbout([orderId, subjectOf(other)]);
  const ofOrder = rows.filter((r) => r.subject_key === orderId);
  assert.is(ofOrder.length, 1, 'one e-mail for the order');
  assert.is(ofOrder[0]!.recipient, (first.message as { email: string }).email, 'the first message\'s e-mail wins');
  assert.match(ofOrder[0]!.traceparent, first.traceId);
  assert.is(statements(rows), 1, 'queued with the rest of the group');
  assert.is(linesOf(first, 'e-mail queued').length, 1);
  assert.is(linesOf(second, 'e-mail queued').length, 0);
  const [again] = linesOf(second, 'e-mail already queued; not queued again');
  assert.is(again?.subjectKey, orderId);
  assert.is(again?.trace_id, second.traceId, 'logged in the second message\'s own trace');
});

test('PostgreSQL, given one kind and subject twice in one insert ... on conflict do nothing, stores one and returns one: it cannot say whose', async () => {
  // Why queueEmails offers the first of a subject alone: RETURNING kind, subject_key would name both messages.
  const subject = randomUUID();
  const values = ['anna', 'bert'].map((who) => [randomUUID(), subject, `${who}@example.com`, `<order-confirmation.${subject}@shop.example>`]);
  const returned = await sql<{ kind: string; subject_key: string }>(env.databaseUrl,
    `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id)
     values ($1, 'order-confirmation', $2, $3, 's', 't', 'h', $4), ($5, 'order-confirmation', $6, $7, 's', 't', 'h', $8)
     on conflict (kind, subject_key) do nothing returning kind, subject_key`, values.flat());
  assert.equal(returned, [{ kind: 'order-confirmation', subject_key: subject }], 'no error, one row returned');
  assert.is((await rowsAbout([subject])).length, 1);
});

test('an order whose e-mail was queued earlier gets no second one; the rest of its group is queued', async () => {
  const earlier = delivery('PaymentFailed');
  await commitAsOneGroup('cancel-email', [earlier]);
  const [before] = await rowsAbout([subjectOf(earlier)]);
  const repeat = delivery('PaymentFailed', { orderId: subjectOf(earlier) });
  const fresh = delivery('PaymentFailed');
  await commitAsOneGroup('cancel-email', [repeat, fresh]);
  const rows = await rowsAbout([subjectOf(earlier), subjectOf(fresh)]);
  assert.equal(rows.filter((r) => r.subject_key === subjectOf(earlier)), [before], 'the earlier e-mail, untouched');
  assert.is(rows.filter((r) => r.subject_key === subjectOf(fresh)).length, 1);
  assert.is(linesOf(repeat, 'e-mail already queued; not queued again').length, 1);
  assert.is(linesOf(repeat, 'e-mail queued').length, 0);
  assert.is(linesOf(fresh, 'e-mail queued').length, 1);
});

test('a recipient that is not one address fails the group, which is committed again one by one: the others are queued, its own message is dead-lettered with the reason', async () => {
  const good = delivery('OrderRejected');
  const bad = delivery('OrderRejected', { email: 'anna@example.com, eve@evil.example' });
  const alsoGood = delivery('OrderRejected');
  const before = lines.length;
  const [first, poison, last] = await commitAsOneGroup('cancel-email', [good, bad, alsoGood]);

  const retried = lines.slice(before).find((l) => l.msg === 'a group of deliveries failed together; committing them one by one');
  assert.is(retried?.size, 3, 'the group failed as a whole and was retried message by message');
  assert.equal([first?.status, last?.status], ['fulfilled', 'fulfilled']);
  const rows = await rowsAbout([good, bad, alsoGood].map(subjectOf));
  assert.equal(rows.map((r) => r.subject_key).sort(), [subjectOf(good), subjectOf(alsoGood)].sort(), 'the others are queued, the bad one not');
  assert.is(linesOf(good, 'e-mail queued').length, 1, 'logged once, when it committed alone: the failed group wrote and logged nothing');
  const inbox = await sql(env.databaseUrl, 'select message_id from runtime.inbox where message_id = $1', [bad.envelope.messageId]);
  assert.is(inbox.length, 0, 'the bad message is not marked handled');

  assert.is(poison?.status, 'rejected');
  const error = (poison as PromiseRejectedResult).reason;
  assert.instance(error, PermanentError);
  assert.match(String(error.message), 'cannot send a rejection e-mail to "anna@example.com, eve@evil.example": not a single e-mail address');
  assert.ok(isPermanent(error));
  // what the consumer does with its delivery's failure (runtime/consumer.ts #fail)
  const decision = decideFailure(error, { number: 1, headers: {}, exchange: 'shop.orders', routingKey: 'order.rejected', at: new Date() },
    { ...queuePlanFor('cancel-email', [100]), maxAttempts: 3 });
  assert.is(decision.action, 'dead-letter');
  if (decision.action !== 'dead-letter') return;
  assert.is(decision.queue, 'cancel-email.dlq');
  assert.match(String(decision.headers[Header.error]), 'not a single e-mail address');
});

test.run();
