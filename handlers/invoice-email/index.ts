// invoice-email: sends each invoice to the customer, once per invoice.
// The handler queues the e-mail; the dispatcher started here sends it.
import { defineInvoiceEmail, serviceName } from '../../generated/services/invoice-email.ts';
import { startMailer } from '../../runtime/mail/mailer.ts';
import type { EmailKind } from '../email/queue-email.ts';
import { onInvoiceCreated } from './onInvoiceCreated.ts';

const kinds: readonly EmailKind[] = ['invoice'];

export const invoiceEmail = defineInvoiceEmail({
  data: { owns: ['mail'] },
  handlers: { onInvoiceCreated },
  start: (runtime) => startMailer(runtime, { service: serviceName, kinds }),
});
