// Which e-mail goes to whom for which event, on plain values: the kind, the key that
// makes it one per order (or per invoice), the recipient, and the template.
// (Queueing once and sending: email.int; the templates' text: email-templates.unit.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { examples } from '../generated/registry.ts';
import type { InvoiceCreated, OrderRejected, PaymentFailed, PaymentSucceeded } from '../generated/types.ts';
import { emailForInvoiceCreated, emailForOrderRejected, emailForPaymentFailed, emailForPaymentSucceeded } from '../handlers/email/choice.ts';
import { messageIdFor, type EmailToQueue } from '../handlers/email/queue-email.ts';
import { cancellationMail, invoiceMail, orderConfirmationMail, rejectionMail } from '../handlers/email/templates.ts';

const payment = () => ({ ...structuredClone(examples.PaymentSucceeded[0].payload) as PaymentSucceeded, email: 'paid@example.com' });
const invoice = () => ({ ...structuredClone(examples.InvoiceCreated[0].payload) as InvoiceCreated, email: 'invoiced@example.com' });
const failure = () => ({ ...structuredClone(examples.PaymentFailed[0].payload) as PaymentFailed, email: 'declined@example.com' });
const rejection = () => ({ ...structuredClone(examples.OrderRejected[0].payload) as OrderRejected, email: 'rejected@example.com' });

test('a paid order gets an order confirmation, keyed by the order, to the address it was placed with', () => {
  // given a PaymentSucceeded, when the e-mail is chosen
  const p = payment();
  const email = emailForPaymentSucceeded(p);
  // then it is the order confirmation for this order, to the payment's address, with the confirmation template
  assert.equal(email, { kind: 'order-confirmation', subjectKey: p.orderId, to: 'paid@example.com', content: orderConfirmationMail(p) });
});

test('an invoice is sent as an invoice e-mail keyed by the invoice, not the order', () => {
  const i = invoice();
  const email = emailForInvoiceCreated(i);
  assert.equal(email, { kind: 'invoice', subjectKey: i.invoiceId, to: 'invoiced@example.com', content: invoiceMail(i) });
  assert.is.not(email.subjectKey, i.orderId);
});

test('a failed payment gets a cancellation, keyed by the order', () => {
  const f = failure();
  assert.equal(emailForPaymentFailed(f), { kind: 'cancellation', subjectKey: f.orderId, to: 'declined@example.com', content: cancellationMail(f) });
});

test('a rejected order gets a rejection, keyed by the order', () => {
  const r = rejection();
  assert.equal(emailForOrderRejected(r), { kind: 'rejection', subjectKey: r.orderId, to: 'rejected@example.com', content: rejectionMail(r) });
});

test('one order\'s four possible e-mails are four distinct e-mails: none can stand in for another', () => {
  // given events of one order (and its invoice)
  const orderId = payment().orderId;
  const emails: EmailToQueue[] = [
    emailForPaymentSucceeded({ ...payment(), orderId }),
    emailForInvoiceCreated({ ...invoice(), orderId }),
    emailForPaymentFailed({ ...failure(), orderId }),
    emailForOrderRejected({ ...rejection(), orderId }),
  ];
  // then each has its own kind and Message-ID, so queueing one never suppresses another
  assert.equal(emails.map((e) => e.kind), ['order-confirmation', 'invoice', 'cancellation', 'rejection']);
  assert.is(new Set(emails.map((e) => messageIdFor(e.kind, e.subjectKey))).size, 4);
});

test('the same event chosen twice gives the same e-mail (same kind, key and Message-ID): queued once', () => {
  const p = payment();
  const [first, second] = [emailForPaymentSucceeded(p), emailForPaymentSucceeded(structuredClone(p))];
  assert.equal(first, second);
  assert.is(messageIdFor(first.kind, first.subjectKey), messageIdFor(second.kind, second.subjectKey));
});

test('two PaymentSucceeded of one order with different payment ids still choose one confirmation', () => {
  // the key is the order, not the payment: a second report of the payment cannot earn a second thank-you
  const p = payment();
  const again = { ...p, paymentId: '5d41402a-bc4b-4a76-b971-9d911017c592', paidAt: '2026-11-25T10:09:00Z' };
  assert.is(emailForPaymentSucceeded(again).subjectKey, emailForPaymentSucceeded(p).subjectKey);
  assert.is(emailForPaymentSucceeded(again).kind, emailForPaymentSucceeded(p).kind);
});

test('two invoices of one order would be two invoice e-mails: each invoice is sent', () => {
  const i = invoice();
  const other = { ...i, invoiceId: '6512bd43-d9ca-46e0-9d7f-8a1f0f1b2c3d', invoiceNumber: 'INV-2026-000043' };
  assert.is.not(emailForInvoiceCreated(other).subjectKey, emailForInvoiceCreated(i).subjectKey);
});

test.run();
