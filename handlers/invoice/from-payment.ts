// An invoice is built from the PaymentSucceeded alone (never from another service's
// tables): the customer, the lines and the amount paid, as the payment carried them.
import type { InvoiceCreated, PaymentSucceeded } from '../../generated/types.ts';

export interface InvoiceIdentity {
  readonly invoiceId: string;
  readonly invoiceNumber: string;
  readonly issuedAt: Date;
}

/** The invoice of a paid order: the paid amount is its total, the paid lines its lines. */
export function invoiceFromPayment(payment: PaymentSucceeded, { invoiceId, invoiceNumber, issuedAt }: InvoiceIdentity): InvoiceCreated {
  return {
    invoiceId, invoiceNumber, orderId: payment.orderId, customerId: payment.customerId, email: payment.email,
    lines: payment.lines, total: payment.amount, issuedAt: issuedAt.toISOString(),
  };
}
