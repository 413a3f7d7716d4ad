// The e-mail templates and their formatting rules, without SMTP: values are
// HTML-escaped in the HTML part, header values hold no CR/LF, amounts come out in
// major units, and each mail says what it is about in its subject.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { examples } from '../generated/registry.ts';
import type { InvoiceCreated, OrderRejected, PaymentFailed, PaymentSucceeded } from '../generated/types.ts';
import { escapeHtml, formatMoney, headerValue, isSingleAddress, oneLine, shortOrderId } from '../handlers/email/format.ts';
import { messageIdFor } from '../handlers/email/queue-email.ts';
import { cancellationMail, invoiceMail, orderConfirmationMail, rejectionMail } from '../handlers/email/templates.ts';
import { retryDelayMs } from '../runtime/mail/dispatcher.ts';
import { isBareAddress, oneLineHeader } from '../runtime/mail/mime.ts';

const payment = () => structuredClone(examples.PaymentSucceeded[0].payload) as PaymentSucceeded;
const invoice = () => structuredClone(examples.InvoiceCreated[0].payload) as InvoiceCreated;
const failure = () => structuredClone(examples.PaymentFailed[0].payload) as PaymentFailed;
const rejection = () => structuredClone(examples.OrderRejected[0].payload) as OrderRejected;

const HOSTILE = '<script>alert("x")</script> & <b onmouseover=\'steal()\'>Socks</b>';
const INJECTION = 'Socks\r\nBcc: attacker@evil.example\r\n\r\n<h1>forged body</h1>';

test('formatMoney turns integer minor units into two decimals and the currency', () => {
  assert.is(formatMoney({ amount: 19497, currency: 'EUR' }), '194.97 EUR');
  assert.is(formatMoney({ amount: 5, currency: 'EUR' }), '0.05 EUR');
  assert.is(formatMoney({ amount: 0, currency: 'EUR' }), '0.00 EUR');
  assert.is(formatMoney({ amount: 100, currency: 'USD' }), '1.00 USD');
  assert.is(formatMoney({ amount: 100000000000, currency: 'EUR' }), '1000000000.00 EUR');
  assert.is(formatMoney({ amount: 1500, currency: 'JPY' }), '1500 JPY', 'a currency without minor units has no decimals');
});

test('formatMoney uses each currency\'s own minor digits: none, two, three or four', () => {
  assert.is(formatMoney({ amount: 12345, currency: 'KRW' }), '12345 KRW', 'won: no minor units');
  assert.is(formatMoney({ amount: 12345, currency: 'KWD' }), '12.345 KWD', 'dinar: three decimals (fils)');
  assert.is(formatMoney({ amount: 5, currency: 'BHD' }), '0.005 BHD');
  assert.is(formatMoney({ amount: 12345, currency: 'CLF' }), '1.2345 CLF', 'four decimals');
  assert.is(formatMoney({ amount: 12345, currency: 'QQQ' }), '123.45 QQQ', 'a code no one issues falls back to two decimals');
});

test('escapeHtml escapes every character that can open markup or leave an attribute', () => {
  assert.is(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href&#61;&quot;x&quot; onclick&#61;&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  assert.is(escapeHtml('plain text 123'), 'plain text 123');
  assert.is(escapeHtml(42), '42');
});

test('headerValue and oneLine replace CR, LF and other control characters', () => {
  assert.is(headerValue('Invoice\r\nBcc: attacker@evil.example'), 'Invoice Bcc: attacker@evil.example');
  assert.is(headerValue('a\rb\nc\u2028d\u0000e\tf\u0085g'), 'a b c d e f g');
  assert.not.match(oneLine(INJECTION), /[\r\n]/);
  assert.is(oneLineHeader('Hi\r\n\r\nX-Injected: 1'), 'Hi X-Injected: 1');
});

test('a recipient must be exactly one bare address, never a list or a group', () => {
  assert.ok(isSingleAddress('anna.kovacs@example.com'));
  assert.ok(isSingleAddress("o'hara&co@example.com"));
  for (const bad of ['a@example.com, b@example.com', 'a@example.com Bcc: evil@x.example', 'Anna <a@example.com>', 'group: a@example.com;', 'no-at-sign', 'a@example.com\r\nBcc: evil@x.example']) {
    assert.not.ok(isSingleAddress(bad), bad);
    assert.not.ok(isBareAddress(oneLineHeader(bad)), bad);
  }
  assert.ok(isBareAddress('anna.kovacs@example.com'));
});

test('the order confirmation thanks for the order, lists the lines and states the total', () => {
  const p = payment();
  const mail = orderConfirmationMail(p);
  assert.is(mail.subject, `Thank you for your order ${p.orderId.slice(0, 8)}`);
  assert.match(mail.text, '194.97 EUR');
  assert.match(mail.text, '2 x Trail running shoes (A1215), 89.99 EUR each: 179.98 EUR');
  assert.match(mail.html, '>194.97 EUR</th>');
  assert.match(mail.html, 'Trail running shoes');
});

test('the invoice names its number in the subject and carries the lines table and total', () => {
  const mail = invoiceMail(invoice());
  assert.is(mail.subject, 'Invoice INV-2026-000042 for your order 8f14e45f');
  assert.match(mail.text, 'Invoice number: INV-2026-000042');
  assert.match(mail.text, 'Issued on: 2026-11-25');
  assert.match(mail.text, 'Total: 194.97 EUR');
  assert.match(mail.html, '<table');
  assert.match(mail.html, '<strong>INV-2026-000042</strong>');
  assert.match(mail.html, '>194.97 EUR<');
});

test('the cancellation says the payment failed, for which amount, and why', () => {
  const f = failure();
  const mail = cancellationMail({ ...f, amount: { amount: 19497, currency: 'EUR' }, reason: 'card declined' });
  assert.is(mail.subject, `Your order ${shortOrderId(f.orderId)} was cancelled`);
  assert.match(mail.text, 'was cancelled because the payment of 194.97 EUR failed');
  assert.match(mail.text, 'card declined');
  assert.match(mail.html, '<strong>194.97 EUR</strong>');
});

test('the rejection explains each product problem in customer words', () => {
  const r: OrderRejected = {
    ...rejection(),
    reason: 'INSUFFICIENT_STOCK',
    problems: [
      { productId: 'A1215', requested: 5, available: 3 },
      { productId: 'A1216', requested: 2, available: 0 },
      { productId: 'Z9999', requested: 1, available: null },
    ],
  };
  const mail = rejectionMail(r);
  assert.is(mail.subject, `We could not accept your order ${shortOrderId(r.orderId)}`);
  assert.match(mail.text, 'A1215: you asked for 5, but we have only 3 in stock.');
  assert.match(mail.text, 'A1216: you asked for 2, but it is out of stock.');
  assert.match(mail.text, 'Z9999: we do not sell this product.');
  assert.match(mail.html, '<li>A1215: you asked for 5, but we have only 3 in stock.</li>');
  assert.match(mail.text, 'Nothing was charged');
});

test('an order too large to hold is explained without a list of products', () => {
  const mail = rejectionMail({ ...rejection(), reason: 'AMOUNT_TOO_LARGE', problems: [], detail: 'GOLD1 × 2 comes to 3000000000 EUR minor units' });
  assert.match(mail.text, 'because its amount is larger than one order can hold.');
  assert.match(mail.text, 'Reference: GOLD1 × 2 comes to 3000000000 EUR minor units');
  assert.not.match(mail.text, /^- /m);
  assert.not.match(mail.html, '<ul>');
});

test('a product name with markup is escaped in the HTML part and kept readable in the text part', () => {
  const p = payment();
  const mail = orderConfirmationMail({ ...p, lines: [{ ...p.lines[0], name: HOSTILE }] });
  assert.not.match(mail.html, '<script>');
  assert.not.match(mail.html, '<b onmouseover');
  assert.match(mail.html, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b onmouseover&#61;&#39;steal()&#39;&gt;Socks&lt;/b&gt;');
  assert.match(mail.text, HOSTILE, 'plain text is not HTML: it shows the name as it is');
});

test('free text of the events (payment reason, rejection detail) is escaped too', () => {
  const cancel = cancellationMail({ ...failure(), reason: HOSTILE });
  assert.not.match(cancel.html, '<script>');
  assert.match(cancel.html, '&lt;script&gt;');
  const reject = rejectionMail({ ...rejection(), detail: HOSTILE });
  assert.not.match(reject.html, '<script>');
  assert.match(reject.html, '&lt;script&gt;');
});

test('CR/LF in any value never reaches a subject, and stays out of table rows', () => {
  const inv = invoice();
  const mail = invoiceMail({ ...inv, invoiceNumber: 'INV-2026-000042\r\nBcc: attacker@evil.example', orderId: `${inv.orderId}\r\nX-Injected: 1`, lines: [{ ...inv.lines[0], name: INJECTION }] });
  assert.not.match(mail.subject, /[\r\n]/);
  assert.is(mail.subject, 'Invoice INV-2026-000042 Bcc: attacker@evil.example for your order 8f14e45f');
  const line = mail.text.split('\n').find((l) => l.includes('Socks'))!;
  assert.match(line, 'Socks Bcc: attacker@evil.example <h1>forged body</h1>');
  assert.not.match(mail.html, '<h1>');
  for (const m of [orderConfirmationMail(payment()), cancellationMail(failure()), rejectionMail(rejection())]) {
    assert.not.match(m.subject, /[\r\n]/);
  }
});

test('Message-IDs are deterministic per kind and subject, and distinct between them', () => {
  const order = '8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01';
  assert.is(messageIdFor('order-confirmation', order), `<order-confirmation.${order}@shop.example>`);
  assert.is(messageIdFor('order-confirmation', order), messageIdFor('order-confirmation', order));
  assert.is.not(messageIdFor('cancellation', order), messageIdFor('rejection', order));
  assert.is(messageIdFor('invoice', `x>\r\nBcc: y@z`), '<invoice.xBccyz@shop.example>');
});

test('retries back off exponentially from one second, capped at a minute', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7, 8, 20, 100].map((n) => retryDelayMs(n)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
});

test.run();
