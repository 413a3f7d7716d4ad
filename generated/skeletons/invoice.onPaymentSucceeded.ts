// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/invoice/onPaymentSucceeded.ts: copy it there and write the business rule.
// invoice_onPaymentSucceeded: Issue one numbered invoice for the paid order.
import type { InvoiceHandlers } from '../../generated/services/invoice.ts';

export const onPaymentSucceeded: InvoiceHandlers['onPaymentSucceeded'] = async (message, ctx) => {
  throw new Error(`invoice: onPaymentSucceeded is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
