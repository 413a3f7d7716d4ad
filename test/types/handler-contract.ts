// Type-level tests, checked by `npm run typecheck` (never executed): the generated
// handler interfaces admit exactly the contract's events. Each @ts-expect-error
// must fail to compile, or tsc reports the directive as unused and the check fails.
import type { PaymentHandlers } from '../../generated/services/payment.ts';
import type { CancelEmailHandlers } from '../../generated/services/cancel-email.ts';
import type { InvoiceCreated, PaymentSucceeded, PaymentFailed, OrderRejected } from '../../generated/types.ts';
import { paymentSucceeded, paymentFailed } from '../../generated/services/payment.ts';
import { invoiceCreated } from '../../generated/services/invoice.ts';

declare const succeeded: PaymentSucceeded;
declare const failed: PaymentFailed;
declare const invoice: InvoiceCreated;

// A payment handler that sends what payment declares compiles.
export const payment: PaymentHandlers = {
  onOrderPersisted: async () => [paymentSucceeded(succeeded), paymentFailed(failed)],
};

// A payment handler returning InvoiceCreated does not.
export const paymentSendingInvoice: PaymentHandlers = {
  // @ts-expect-error InvoiceCreated is not among payment's send operations
  onOrderPersisted: async () => [invoiceCreated(invoice)],
};

// Nor does a hand-made event of an undeclared type.
export const paymentSendingLiteral: PaymentHandlers = {
  // @ts-expect-error OrderCancelled is not among payment's send operations
  onOrderPersisted: async () => [{ type: 'OrderCancelled', payload: { orderId: '', reason: 'PAYMENT_FAILED', restoredItems: [], cancelledAt: '' } }],
};

// An event whose payload does not fit its type is refused too.
export const paymentWithWrongPayload: PaymentHandlers = {
  // @ts-expect-error a PaymentSucceeded needs a PaymentSucceeded payload
  onOrderPersisted: async () => [{ type: 'PaymentSucceeded', payload: failed }],
};

// cancel-email receives two messages: leaving one out does not compile.
// @ts-expect-error onOrderRejected is missing
export const cancelEmailMissingOne: CancelEmailHandlers = {
  onPaymentFailed: async () => [],
};

// A handler for a message the service does not receive is refused.
export const cancelEmailWithExtra: CancelEmailHandlers = {
  onPaymentFailed: async () => [],
  onOrderRejected: async (_message: OrderRejected) => [],
  // @ts-expect-error cancel-email does not receive InvoiceCreated
  onInvoiceCreated: async () => [],
};
