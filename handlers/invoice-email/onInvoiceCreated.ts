// Each invoice is sent to the customer once: one e-mail per invoice id.
import type { InvoiceEmailHandlers } from '../../generated/services/invoice-email.ts';
import { emailForInvoiceCreated } from '../email/choice.ts';
import { queueEmail } from '../email/queue-email.ts';

export const onInvoiceCreated: InvoiceEmailHandlers['onInvoiceCreated'] = async (invoice, ctx) => {
  await queueEmail(ctx, emailForInvoiceCreated(invoice));
  return [];
};
