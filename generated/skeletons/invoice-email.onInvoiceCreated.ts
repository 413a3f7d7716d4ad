// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/invoice-email/onInvoiceCreated.ts: copy it there and write the business rule.
// invoiceEmail_onInvoiceCreated: Send the invoice to the customer, once per invoice.
import type { InvoiceEmailHandlers } from '../../generated/services/invoice-email.ts';

export const onInvoiceCreated: InvoiceEmailHandlers['onInvoiceCreated'] = async (message, ctx) => {
  throw new Error(`invoice-email: onInvoiceCreated is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
