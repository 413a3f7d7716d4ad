// Each invoice is sent to the customer once: one e-mail per invoice id. The e-mails
// of the invoices that arrive together are queued at once (runtime/group-step.ts).
import type { InvoiceEmailEvent } from '../../generated/services/invoice-email.ts';
import type { InvoiceCreated } from '../../generated/types.ts';
import { handledInGroups } from '../../runtime/group-step.ts';
import { emailForInvoiceCreated } from '../email/choice.ts';
import { queueEmails } from '../email/queue-email.ts';

export const onInvoiceCreated = handledInGroups<InvoiceCreated, readonly InvoiceEmailEvent[]>(async (invoices) => {
  await queueEmails(invoices.map(({ message: invoice, ctx }) => ({ ctx, email: emailForInvoiceCreated(invoice) })));
  return invoices.map(() => []);
});
