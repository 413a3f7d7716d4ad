// Which e-mail goes to whom for which event, as pure rules:
//   PaymentSucceeded → an order confirmation, per order   (order-confirmation-email)
//   InvoiceCreated   → the invoice, per invoice           (invoice-email)
//   PaymentFailed    → a cancellation, per order          (cancel-email)
//   OrderRejected    → a rejection, per order             (cancel-email)
// Always to the address the event carries (the one the customer ordered with). The
// kind and the subject key name the e-mail: queueEmails keeps one per pair, so an
// order gets at most one e-mail of each kind, and an invoice one invoice e-mail.
import type { InvoiceCreated, OrderRejected, PaymentFailed, PaymentSucceeded } from '../../generated/types.ts';
import type { EmailToQueue } from './queue-email.ts';
import { cancellationMail, invoiceMail, orderConfirmationMail, rejectionMail } from './templates.ts';

/** A paid order: thank the customer, once per order. */
export function emailForPaymentSucceeded(payment: PaymentSucceeded): EmailToQueue {
  return { kind: 'order-confirmation', subjectKey: payment.orderId, to: payment.email, content: orderConfirmationMail(payment) };
}

/** An invoice: send it, once per invoice (not per order: the invoice id names it). */
export function emailForInvoiceCreated(invoice: InvoiceCreated): EmailToQueue {
  return { kind: 'invoice', subjectKey: invoice.invoiceId, to: invoice.email, content: invoiceMail(invoice) };
}

/** A failed payment: tell the customer the order is cancelled, once per order. */
export function emailForPaymentFailed(failure: PaymentFailed): EmailToQueue {
  return { kind: 'cancellation', subjectKey: failure.orderId, to: failure.email, content: cancellationMail(failure) };
}

/** A rejected order: tell the customer why, product by product, once per order. */
export function emailForOrderRejected(rejection: OrderRejected): EmailToQueue {
  return { kind: 'rejection', subjectKey: rejection.orderId, to: rejection.email, content: rejectionMail(rejection) };
}
