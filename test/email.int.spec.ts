// The three e-mail services against real RabbitMQ, PostgreSQL and a real SMTP
// server: each event becomes exactly one e-mail with its stored Message-ID, however
// often it is delivered; SMTP being down delays the mail, never doubles it; values
// from events are escaped in HTML and cannot add headers or recipients.
import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { examples } from '../generated/registry.ts';
import type { InvoiceCreated, OrderRejected, PaymentFailed, PaymentSucceeded } from '../generated/types.ts';
import { cancelEmail } from '../handlers/cancel-email/index.ts';
import { invoiceEmail } from '../handlers/invoice-email/index.ts';
import { orderConfirmationEmail } from '../handlers/order-confirmation-email/index.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { createLogger } from '../runtime/logger.ts';
import { startMailCatcher } from '../runtime/mail/catcher.ts';
import { publishRaw, tap, type RawMessage } from './support/amqp.ts';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { freePort, startSmtpServer, type ReceivedMail, type TestSmtpServer } from './support/smtp.ts';
import { watchDeliveries } from './support/deliveries.ts';
import { emailsSent } from './support/shop.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const emailServices = [cancelEmail, invoiceEmail, orderConfirmationEmail];

let env: TestEnv;
let smtp: TestSmtpServer;
let host: Host;
const deliveries = watchDeliveries();

test.before(async () => {
  env = await createTestEnv('email');
  smtp = await startSmtpServer();
  host = await startHost(env.config({ SMTP_URL: smtp.url }), emailServices, deliveries.options);
});

test.after(async () => {
  await host?.stop();
  await smtp?.close();
  await env?.cleanup();
});

const customer = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

function paymentSucceeded(overrides: Partial<PaymentSucceeded> = {}): PaymentSucceeded {
  const example = structuredClone(examples.PaymentSucceeded[0].payload) as PaymentSucceeded;
  return { ...example, orderId: randomUUID(), paymentId: randomUUID(), email: customer('paid'), ...overrides };
}

function paymentFailed(overrides: Partial<PaymentFailed> = {}): PaymentFailed {
  const example = structuredClone(examples.PaymentFailed[0].payload) as PaymentFailed;
  return { ...example, orderId: randomUUID(), paymentId: randomUUID(), email: customer('declined'), ...overrides };
}

function orderRejected(overrides: Partial<OrderRejected> = {}): OrderRejected {
  const example = structuredClone(examples.OrderRejected[0].payload) as OrderRejected;
  return { ...example, orderId: randomUUID(), email: customer('rejected'), ...overrides };
}

function invoiceCreated(overrides: Partial<InvoiceCreated> = {}): InvoiceCreated {
  const example = structuredClone(examples.InvoiceCreated[0].payload) as InvoiceCreated;
  return { ...example, invoiceId: randomUUID(), orderId: randomUUID(), email: customer('invoiced'), ...overrides };
}

const routes = {
  PaymentSucceeded: { exchange: 'shop.payments', routingKey: 'payment.succeeded' },
  PaymentFailed: { exchange: 'shop.payments', routingKey: 'payment.failed' },
  OrderRejected: { exchange: 'shop.orders', routingKey: 'order.rejected' },
  InvoiceCreated: { exchange: 'shop.invoices', routingKey: 'invoice.created' },
} as const;

function message(type: keyof typeof routes, body: { orderId: string }, messageId: string = randomUUID()): RawMessage {
  return { ...routes[type], body, options: { type, messageId, correlationId: body.orderId } };
}

/** Returns the messageIds, a copy's as often as it was sent. */
async function publish(amqpUrl: string, ...messages: RawMessage[]): Promise<string[]> {
  return publishRaw(amqpUrl, messages);
}

async function emailRows(databaseUrl: string, kind: string, subjectKey: string) {
  return sql<{ message_id: string; status: string; attempts: number; last_error: string | null; recipient: string; subject: string }>(
    databaseUrl, 'select message_id, status, attempts, last_error, recipient, subject from mail.emails where kind = $1 and subject_key = $2', [kind, subjectKey]);
}

/** An order confirmation queued straight in the table, as another process (a restart, a replica) leaves one. */
async function queueConfirmation(address: string, subject: string, databaseUrl = env.databaseUrl): Promise<void> {
  await sql(databaseUrl, `
    insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id)
    values (gen_random_uuid(), 'order-confirmation', $1, $2, $3, 'text', '<p>html</p>', $4)`,
  [randomUUID(), address, subject, `<${randomUUID()}@shop.example>`]);
}

async function oneMailTo(server: TestSmtpServer, address: string): Promise<ReceivedMail> {
  return eventually(async () => server.to(address)[0], `a mail to ${address}`, 15_000);
}

/**
 * Waits until every copy of the messages (an id as often as it was sent) has been through its
 * consumer and every e-mail queued has been sent: a second mail would be at the server by now.
 */
async function settle(published: readonly string[]): Promise<void> {
  const copies = new Map<string, number>();
  for (const id of published) copies.set(id, (copies.get(id) ?? 0) + 1);
  for (const [id, n] of copies) await deliveries.ended(id, n);
  await emailsSent(env.databaseUrl);
}

test('a PaymentSucceeded sends one order confirmation with the total, under the Message-ID of its row', async () => {
  const payment = paymentSucceeded();
  const published = await publish(env.amqpUrl, message('PaymentSucceeded', payment));

  const mail = await oneMailTo(smtp, payment.email);
  assert.equal(mail.envelope.to, [payment.email]);
  assert.is(mail.header('to'), payment.email);
  assert.match(mail.header('from') ?? '', 'orders@shop.example');
  assert.is(mail.subject, `Thank you for your order ${payment.orderId.slice(0, 8)}`);
  assert.match(mail.text ?? '', 'Total paid: 194.97 EUR');
  assert.match(mail.html ?? '', '194.97 EUR');
  assert.match(mail.header('content-type') ?? '', 'multipart/alternative');

  const [row] = await eventually(async () => {
    const rows = await emailRows(env.databaseUrl, 'order-confirmation', payment.orderId);
    return rows[0]?.status === 'sent' ? rows : undefined;
  }, 'the e-mail row to be marked sent');
  assert.is(row.message_id, `<order-confirmation.${payment.orderId}@shop.example>`);
  assert.is(mail.messageId, row.message_id);
  assert.is(row.attempts, 1);

  await settle(published);
  assert.is(smtp.to(payment.email).length, 1);
});

test('the same PaymentSucceeded delivered twice sends one confirmation', async () => {
  const payment = paymentSucceeded();
  const messageId = randomUUID();
  await publish(env.amqpUrl, message('PaymentSucceeded', payment, messageId));
  await publish(env.amqpUrl, message('PaymentSucceeded', payment, messageId));

  await oneMailTo(smtp, payment.email);
  await settle([messageId, messageId]);
  assert.is(smtp.to(payment.email).length, 1);
  assert.is((await emailRows(env.databaseUrl, 'order-confirmation', payment.orderId)).length, 1);
});

test('two different PaymentSucceeded messages for one order send one confirmation', async () => {
  const payment = paymentSucceeded();
  const first = randomUUID();
  const second = randomUUID();
  await publish(env.amqpUrl, message('PaymentSucceeded', payment, first), message('PaymentSucceeded', paymentSucceeded({ orderId: payment.orderId, email: payment.email }), second));

  await eventually(async () => (await sql(env.databaseUrl,
    `select 1 from runtime.inbox where consumer = 'order-confirmation-email' and message_id in ($1, $2)`, [first, second])).length === 2,
  'both messages to be handled');
  const mail = await oneMailTo(smtp, payment.email);
  await settle([first, second]);
  assert.is(smtp.to(payment.email).length, 1);
  assert.is(mail.messageId, `<order-confirmation.${payment.orderId}@shop.example>`);
});

test('an InvoiceCreated sends one invoice with its number and total', async () => {
  const invoice = invoiceCreated({ invoiceNumber: 'INV-2026-004711' });
  const published = await publish(env.amqpUrl, message('InvoiceCreated', invoice), message('InvoiceCreated', invoice));

  const mail = await oneMailTo(smtp, invoice.email);
  assert.is(mail.subject, `Invoice INV-2026-004711 for your order ${invoice.orderId.slice(0, 8)}`);
  assert.match(mail.text ?? '', 'Invoice number: INV-2026-004711');
  assert.match(mail.text ?? '', 'Total: 194.97 EUR');
  assert.match(mail.html ?? '', '<strong>INV-2026-004711</strong>');
  assert.match(mail.html ?? '', 'Merino socks');
  assert.is(mail.messageId, `<invoice.${invoice.invoiceId}@shop.example>`);
  await settle(published);
  assert.is(smtp.to(invoice.email).length, 1);
});

test('a PaymentFailed sends one cancellation with the amount and the reason', async () => {
  const failure = paymentFailed({ amount: { amount: 4998, currency: 'EUR' }, reason: 'Card declined by issuer' });
  await publish(env.amqpUrl, message('PaymentFailed', failure));

  const mail = await oneMailTo(smtp, failure.email);
  assert.is(mail.subject, `Your order ${failure.orderId.slice(0, 8)} was cancelled`);
  assert.match(mail.text ?? '', 'was cancelled because the payment of 49.98 EUR failed');
  assert.match(mail.text ?? '', 'Card declined by issuer');
  assert.is(mail.messageId, `<cancellation.${failure.orderId}@shop.example>`);
});

test('an OrderRejected sends one rejection naming each product problem', async () => {
  const rejection = orderRejected({
    reason: 'INSUFFICIENT_STOCK',
    detail: 'A1215: 5 requested, 3 in stock; B2001: 2 requested, 0 in stock',
    problems: [{ productId: 'A1215', requested: 5, available: 3 }, { productId: 'B2001', requested: 2, available: 0 }],
  });
  const published = await publish(env.amqpUrl, message('OrderRejected', rejection));

  const mail = await oneMailTo(smtp, rejection.email);
  assert.is(mail.subject, `We could not accept your order ${rejection.orderId.slice(0, 8)}`);
  assert.match(mail.text ?? '', 'A1215: you asked for 5, but we have only 3 in stock.');
  assert.match(mail.text ?? '', 'B2001: you asked for 2, but it is out of stock.');
  assert.match(mail.html ?? '', '<li>A1215: you asked for 5, but we have only 3 in stock.</li>');
  assert.is(mail.messageId, `<rejection.${rejection.orderId}@shop.example>`);
  await settle(published);
  assert.is(smtp.to(rejection.email).length, 1);
});

test('markup in a product name and an address is escaped in the HTML part', async () => {
  const base = paymentSucceeded({ email: `o'hara&co-${randomUUID().slice(0, 8)}@example.com` });
  const hostile = '<script>alert("pwned")</script><img src=x onerror=alert(1)>';
  const payment = { ...base, lines: [{ ...base.lines[0], name: hostile }] };
  await publish(env.amqpUrl, message('PaymentSucceeded', payment));

  const mail = await oneMailTo(smtp, payment.email);
  const html = mail.html ?? '';
  assert.not.match(html, '<script>');
  assert.not.match(html, '<img');
  assert.match(html, '&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;');
  assert.match(mail.text ?? '', hostile, 'the text part shows the name as it is');
  assert.equal(mail.envelope.to, [payment.email]);
});

test('CR/LF in a product name adds no header, no recipient and no body part', async () => {
  const base = paymentSucceeded();
  const payment = { ...base, lines: [{ ...base.lines[0], name: 'Socks\r\nBcc: attacker@evil.example\r\n\r\n<h1>forged</h1>' }] };
  await publish(env.amqpUrl, message('PaymentSucceeded', payment));

  const mail = await oneMailTo(smtp, payment.email);
  assert.equal(mail.envelope.to, [payment.email]);
  assert.not.ok(mail.headers.has('bcc'));
  assert.not.match(mail.html ?? '', '<h1>');
  assert.match(mail.text ?? '', /- 2 x Socks Bcc: attacker@evil\.example <h1>forged<\/h1> \(A1215\), 89\.99 EUR each/);
  assert.is(smtp.to('attacker@evil.example').length, 0);
});

test('the dispatcher keeps CR/LF of a stored subject out of the headers and refuses a recipient that is not one address', async () => {
  const logs = await tap(env.amqpUrl, [{ exchange: 'shop.logs', routingKey: 'log.emitted' }]);
  try {
    const fine = randomUUID();
    const forged = randomUUID();
    const fineTo = customer('stored');
    const row = `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id)
                 values ($1, 'order-confirmation', $2, $3, $4, 'text', '<p>html</p>', $5)`;
    await sql(env.databaseUrl, row, [randomUUID(), fine, fineTo, 'Hello\r\nBcc: attacker@evil.example\r\nX-Injected: yes', `<order-confirmation.${fine}@shop.example>`]);
    await sql(env.databaseUrl, row, [randomUUID(), forged, 'victim@example.com\r\nBcc: attacker@evil.example', 'Hello', `<order-confirmation.${forged}@shop.example>`]);

    const mail = await oneMailTo(smtp, fineTo);
    assert.is(mail.subject, 'Hello Bcc: attacker@evil.example X-Injected: yes');
    assert.not.ok(mail.headers.has('bcc'));
    assert.not.ok(mail.headers.has('x-injected'));
    assert.equal(mail.envelope.to, [fineTo]);

    const [refused] = await eventually(async () => {
      const rows = await emailRows(env.databaseUrl, 'order-confirmation', forged);
      return rows[0]?.status === 'failed' ? rows : undefined;
    }, 'the forged row to be marked failed');
    assert.match(refused.last_error ?? '', 'not a single bare e-mail address');
    assert.is(smtp.to('victim@example.com').length + smtp.to('attacker@evil.example').length, 0);
    // a batch carries whatever its service wrote since the last one: the record may follow others
    const reported = await eventually(async () => logs.ofType('LogEmitted').flatMap((m) => (m.body.records as { message: string; level: string }[] ?? [])
      .filter((r) => String(r.message).includes(forged)).map((record) => ({ service: m.body.service, record })))[0],
    'a LogEmitted about the refused e-mail');
    assert.is(reported.record.level, 'error');
    assert.is(reported.service, 'order-confirmation-email');
  } finally {
    await logs.close();
  }
});

test('the commit that queues an e-mail claims it in its own last statement: sent at once, without waiting for a poll', async () => {
  await host.stop();
  // Waiting when the dispatcher starts: its first pass, at start, sends it and then sleeps for the hour.
  const early = customer('early');
  await queueConfirmation(early, 'Waiting at start');
  const slow = await startHost(env.config({ SMTP_URL: smtp.url, MAIL_POLL_MS: '3600000' }), emailServices, deliveries.options);
  try {
    await oneMailTo(smtp, early); // the first pass is over: from here only a wake-up sends before the hour is up
    const payment = paymentSucceeded();
    await publish(env.amqpUrl, message('PaymentSucceeded', payment));
    await oneMailTo(smtp, payment.email);
    const [row] = await sql<{ attempts: number; status: string }>(env.databaseUrl, `select attempts, status from mail.emails where recipient = $1`, [payment.email]);
    assert.equal(row, { attempts: 1, status: 'sent' }, 'claimed once, by the commit, and sent');
  } finally {
    await slow.stop();
    host = await startHost(env.config({ SMTP_URL: smtp.url }), emailServices, deliveries.options);
  }
});

test('a commit whose claim is full leaves the other due e-mails to a pass that follows at once, not to the poll', async () => {
  await host.stop();
  const slow = await startHost(env.config({ SMTP_URL: smtp.url, MAIL_POLL_MS: '3600000', MAIL_BATCH_SIZE: '1' }), emailServices, deliveries.options);
  try {
    await eventually(async () => (await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from mail.emails where status = 'pending'`))[0]!.n === 0 || undefined, 'the first pass done', 15_000);
    // due before the commit: its claim of one takes the oldest, and the rest must not wait an hour
    const waiting = [customer('waiting-1'), customer('waiting-2')];
    for (const address of waiting) await queueConfirmation(address, 'Queued by another replica');
    const payment = paymentSucceeded();
    await publish(env.amqpUrl, message('PaymentSucceeded', payment));
    for (const address of [...waiting, payment.email]) await oneMailTo(smtp, address);
  } finally {
    await slow.stop();
    host = await startHost(env.config({ SMTP_URL: smtp.url }), emailServices, deliveries.options);
  }
});

test('a commit whose answer is lost (it committed, the path dropped the answer) gives back the e-mail it claimed: sent once, long before the claim\'s two-minute lease ends', async () => {
  await host.stop();
  const proxy = await startTcpProxy(env.databaseUrl);
  // This test's e-mail is first claimed by the commit that queued it; that claim runs 2 s on the server,
  // once, and the test silences its connection meanwhile: the server commits, and the answer is lost.
  await sql(env.databaseUrl, 'create table public.slow_claim_done (done boolean)');
  await sql(env.databaseUrl, `create function public.slow_first_claim() returns trigger language plpgsql security definer as $$
    begin
      if new.recipient like 'lost-answer-%' and not exists (select from public.slow_claim_done) then
        insert into public.slow_claim_done values (true);
        perform pg_sleep(2);
      end if;
      return new;
    end $$`);
  await sql(env.databaseUrl, `create trigger slow_first_claim before update on mail.emails for each row
    when (old.attempts = 0 and new.attempts = 1) execute function public.slow_first_claim()`);
  let lost: Host | undefined;
  try {
    lost = await startHost(env.config({ SMTP_URL: smtp.url, DATABASE_URL: proxy.via(env.databaseUrl) }), emailServices, deliveries.options);
    const payment = paymentSucceeded({ email: customer('lost-answer') });
    await publish(env.amqpUrl, message('PaymentSucceeded', payment));
    await eventually(async () => (await sql(env.databaseUrl, `select pid from pg_stat_activity where wait_event = 'PgSleep' and query like '%mail.emails%'`))[0],
      'the commit\'s claim running on the server', 15_000);
    assert.ok(proxy.stall() >= 1, 'the committing connection silenced before its answer');
    // The lease is two minutes: within this wait (half of it) only the claim given back sends the e-mail. The
    // pool's idle connections were silenced too, so on a busy machine the give-back may meet a few before a live one.
    const mail = await eventually(async () => smtp.to(payment.email)[0], `a mail to ${payment.email}`, 60_000);
    assert.is(mail.messageId, `<order-confirmation.${payment.orderId}@shop.example>`);
    await emailsSent(env.databaseUrl);
    const [row] = await emailRows(env.databaseUrl, 'order-confirmation', payment.orderId);
    assert.equal({ status: row?.status, attempts: row?.attempts }, { status: 'sent', attempts: 1 }, 'the lost claim\'s attempt was taken back');
    assert.equal((await sql(env.databaseUrl, 'select done from public.slow_claim_done')).length, 1, 'the lost claim had committed');
    assert.is(smtp.to(payment.email).length, 1, 'sent once');
  } finally {
    await lost?.stop();
    await proxy.close();
    await sql(env.databaseUrl, 'drop trigger slow_first_claim on mail.emails; drop function public.slow_first_claim(); drop table public.slow_claim_done');
    host = await startHost(env.config({ SMTP_URL: smtp.url }), emailServices, deliveries.options);
  }
});

test('an e-mail queued by anyone else (a restart, another replica) is found by the poll', async () => {
  const address = customer('polled');
  await queueConfirmation(address, 'Queued elsewhere');
  await oneMailTo(smtp, address);
});

test('with two instances of each service running, every e-mail is sent once', async () => {
  const second = await startHost(env.config({ SMTP_URL: smtp.url }), emailServices, deliveries.options);
  try {
    const address = customer('many');
    const payments = Array.from({ length: 20 }, () => paymentSucceeded({ email: address }));
    const published = await publish(env.amqpUrl, ...payments.map((p) => message('PaymentSucceeded', p)));

    await eventually(async () => smtp.to(address).length >= 20, '20 confirmations', 20_000);
    await settle(published);
    const mails = smtp.to(address);
    assert.is(mails.length, 20);
    assert.is(new Set(mails.map((m) => m.messageId)).size, 20);
    const rows = await sql<{ status: string; attempts: number }>(env.databaseUrl,
      `select status, attempts from mail.emails where kind = 'order-confirmation' and subject_key = any($1)`, [payments.map((p) => p.orderId)]);
    assert.is(rows.length, 20);
    assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1), 'each row was claimed exactly once');
  } finally {
    await second.stop();
  }
});

test('while SMTP is down the e-mail waits and is retried; once SMTP is back it arrives once', async () => {
  const downEnv = await createTestEnv('email_smtp_down');
  const port = await freePort();
  let downHost: Host | undefined;
  let late: TestSmtpServer | undefined;
  try {
    downHost = await startHost(downEnv.config({ SMTP_URL: `smtp://127.0.0.1:${port}` }), [orderConfirmationEmail]);
    const payment = paymentSucceeded();
    await publish(downEnv.amqpUrl, message('PaymentSucceeded', payment));

    const [failed] = await eventually(async () => {
      const rows = await emailRows(downEnv.databaseUrl, 'order-confirmation', payment.orderId);
      return rows[0]?.last_error ? rows : undefined;
    }, 'a failed attempt while SMTP is down');
    assert.is(failed.status, 'pending');
    assert.ok(failed.attempts >= 1);

    late = await startSmtpServer(port);
    const mail = await oneMailTo(late, payment.email);
    assert.is(mail.messageId, `<order-confirmation.${payment.orderId}@shop.example>`);
    const [sent] = await eventually(async () => {
      const rows = await emailRows(downEnv.databaseUrl, 'order-confirmation', payment.orderId);
      return rows[0]?.status === 'sent' ? rows : undefined;
    }, 'the row to be marked sent');
    assert.ok(sent.attempts >= 2, `attempts: ${sent.attempts}`);
    // marked sent only after the server took the mail, and nothing sends a sent row again: the count is final
    assert.is(late.to(payment.email).length, 1);
  } finally {
    await downHost?.stop();
    await late?.close();
    await downEnv.cleanup();
  }
});

test('e-mails coming faster than a slow SMTP server takes them: they wait in the table, at most a batch of them claimed at a time, and each is sent once', async () => {
  const slowEnv = await createTestEnv('email_slow_smtp');
  // 2 connections, 300 ms per message: under 7 e-mails a second against 20 coming, so the last of 48 go out
  // several seconds after they came, longer than the claims' lease
  const slow = await startSmtpServer(0, { acceptDelayMs: 300 });
  let slowHost: Host | undefined;
  try {
    const healthPort = await freePort();
    slowHost = await startHost(slowEnv.config({ SMTP_URL: slow.url, SMTP_MAX_CONNECTIONS: '2', MAIL_BATCH_SIZE: '4', MAIL_LEASE_MS: '5000', HEALTH_PORT: String(healthPort) }), [orderConfirmationEmail]);
    const payments = Array.from({ length: 48 }, () => paymentSucceeded({ email: customer('busy') }));
    let mostClaimed = 0;
    let mostHeldReported = 0;
    // claimed: leased and not yet sent (a row waiting for its retry after a failed send is not held)
    const sample = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
      const held = /^shop_emails_held\{service="order-confirmation-email"\} (\d+)$/m.exec(metrics);
      assert.ok(held, 'the service reports the e-mails it holds');
      mostHeldReported = Math.max(mostHeldReported, Number(held[1]));
      const [row] = await sql<{ claimed: number; unsent: number }>(slowEnv.databaseUrl, `
        select count(*) filter (where status = 'pending' and next_attempt_at > now() and last_error is null)::int as claimed,
               count(*) filter (where status = 'pending')::int + $1 - count(*)::int as unsent
          from mail.emails`, [payments.length]);
      mostClaimed = Math.max(mostClaimed, row!.claimed);
      return row!.unsent === 0;
    };
    for (let i = 0; i < payments.length; i += 4) {
      await publish(slowEnv.amqpUrl, ...payments.slice(i, i + 4).map((p) => message('PaymentSucceeded', p)));
      await sample();
      await sleep(200);
    }
    await eventually(sample, 'every e-mail queued and sent', 60_000, 50);
    const counts = payments.map((p) => slow.to(p.email).length);
    assert.equal(counts.filter((n) => n !== 1), [], `one mail per order: ${counts.join(' ')}`);
    assert.ok(mostClaimed <= 4, `no more e-mails claimed at a time than a batch (MAIL_BATCH_SIZE 4): ${mostClaimed}`);
    assert.ok(mostHeldReported > 0 && mostHeldReported <= 4, `shop_emails_held showed the service at work, never past the batch: at most ${mostHeldReported}`);
  } finally {
    await slowHost?.stop();
    await slow.close();
    await slowEnv.cleanup();
  }
});

test('an e-mail that found no SMTP connection free within half its claim\'s lease is given back, not sent late: another instance, free to claim it once the lease ends, never sends it a second time', async () => {
  const twoEnv = await createTestEnv('email_not_started');
  // one connection each, 1.5 s per message, a lease of 5 s: of a claim of four, the third and the fourth would start
  // after 3 s, the fourth end after the lease, when the other instance may claim it
  const slow = await startSmtpServer(0, { acceptDelayMs: 1500 });
  const settings = { SMTP_URL: slow.url, SMTP_MAX_CONNECTIONS: '1', MAIL_BATCH_SIZE: '4', MAIL_LEASE_MS: '5000' };
  const hosts: Host[] = [];
  try {
    await (await startHost(twoEnv.config(settings), [orderConfirmationEmail])).stop(); // its schema
    const addresses = [1, 2, 3, 4].map((i) => customer(`claimed-${i}`));
    for (const address of addresses) await queueConfirmation(address, 'Queued before the start', twoEnv.databaseUrl);
    // the first pass, at start, claims all four
    hosts.push(await startHost(twoEnv.config(settings), [orderConfirmationEmail]));
    await eventually(async () => (await sql(twoEnv.databaseUrl, `select 1 from mail.emails where next_attempt_at > now()`)).length === 4 || undefined, 'the four claimed by one pass', 10_000);
    hosts.push(await startHost(twoEnv.config(settings), [orderConfirmationEmail]));
    await emailsSent(twoEnv.databaseUrl, 30_000);
    // a second send of one may still be on its way: the instances finish what they started before the count
    for (const h of hosts.splice(0)) await h.stop();
    const counts = addresses.map((a) => slow.to(a).length);
    assert.equal(counts, [1, 1, 1, 1], 'one mail each');
    const attempts = await sql<{ attempts: number }>(twoEnv.databaseUrl, 'select attempts from mail.emails order by attempts');
    assert.equal(attempts.map((r) => r.attempts), [1, 1, 1, 1], 'an e-mail given back unsent counted no attempt');
  } finally {
    for (const h of hosts) await h.stop();
    await slow.close();
    await twoEnv.cleanup();
  }
});

test('stopping while the SMTP server hangs ends by the deadline and leaves the e-mail for a retry', async () => {
  const hangEnv = await createTestEnv('email_smtp_hangs');
  // Accepts connections and never says a word: a send through it hangs until its timeout.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  let hangHost: Host | undefined;
  try {
    hangHost = await startHost(hangEnv.config({ SMTP_URL: `smtp://127.0.0.1:${port}`, SHUTDOWN_TIMEOUT_MS: '1500' }), [orderConfirmationEmail]);
    const payment = paymentSucceeded();
    await publish(hangEnv.amqpUrl, message('PaymentSucceeded', payment));
    await eventually(async () => (await emailRows(hangEnv.databaseUrl, 'order-confirmation', payment.orderId))[0]?.attempts === 1, 'the send to start');
    await eventually(async () => sockets.size > 0, 'the SMTP connection');

    const started = Date.now();
    await hangHost.stop();
    hangHost = undefined;
    // bounded by SHUTDOWN_TIMEOUT_MS (1.5 s, plus a second per late step); unbounded, it would wait out the SMTP socket's minutes
    assert.ok(Date.now() - started < 15_000, `stop took ${Date.now() - started} ms`);
    const [row] = await emailRows(hangEnv.databaseUrl, 'order-confirmation', payment.orderId);
    assert.is(row.status, 'pending', 'not sent, not given up: a later run sends it');
    assert.ok(row.last_error, 'the interrupted send is recorded');
  } finally {
    await hangHost?.stop();
    for (const socket of sockets) socket.destroy();
    silent.close();
    await hangEnv.cleanup();
  }
});

test('without SMTP_URL the services send to one embedded mail catcher, listed at /api/email', async () => {
  const catcherEnv = await createTestEnv('email_catcher');
  // Held by the test on free ports; the host's three services join this same catcher.
  const catcher = await startMailCatcher({ log: createLogger({ logLevel: 'silent' }), smtpPort: 0, webPort: 0 });
  let catcherHost: Host | undefined;
  try {
    const config = catcherEnv.config();
    assert.is(config.smtpUrl, undefined);
    catcherHost = await startHost(config, emailServices);
    const payment = paymentSucceeded();
    const failure = paymentFailed();
    await publish(catcherEnv.amqpUrl, message('PaymentSucceeded', payment), message('PaymentFailed', failure));

    type Listed = { subject: string; to: { address: string }[]; headers: Record<string, string> };
    const listed = await eventually(async () => {
      const mails = await (await fetch(`${catcher.webUrl}/api/email`)).json() as Listed[];
      return mails.length >= 2 ? mails : undefined;
    }, 'two mails in the catcher');
    const to = (address: string) => listed.filter((m) => m.to.some((t) => t.address === address));
    assert.is(to(payment.email).length, 1);
    assert.is(to(payment.email)[0].subject, `Thank you for your order ${payment.orderId.slice(0, 8)}`);
    assert.is(to(payment.email)[0].headers['message-id'], `<order-confirmation.${payment.orderId}@shop.example>`);
    assert.is(to(failure.email).length, 1);
    assert.is(to(failure.email)[0].subject, `Your order ${failure.orderId.slice(0, 8)} was cancelled`);
  } finally {
    await catcherHost?.stop();
    await catcher.stop();
    await catcherEnv.cleanup();
  }
  const afterStop = await fetch(`${catcher.webUrl}/api/email`).then(() => 'up', () => 'down');
  assert.is(afterStop, 'down', 'the catcher stops when its last user does');
});

test.run();
