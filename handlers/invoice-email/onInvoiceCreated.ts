// Each invoice is sent to the customer once: one e-mail per invoice id.
import type { InvoiceEmailHandlers } from '../../generated/services/invoice-email.ts';
import { queueEmail } from '../email/queue-email.ts';
import { invoiceMail } from '../email/templates.ts';

export const onInvoiceCreated: InvoiceEmailHandlers['onInvoiceCreated'] = async (invoice, ctx) => {
  await queueEmail(ctx, { kind: 'invoice', subjectKey: invoice.invoiceId, to: invoice.email, content: invoiceMail(invoice) });
  return [];
};
