// invoice-email: sends each invoice to the customer, once per invoice.
// The handler queues the e-mail; the dispatcher started here sends it.
import { serviceName, type InvoiceEmailHandlers } from '../../generated/services/invoice-email.ts';
import { startMailer } from '../../runtime/mail/mailer.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import type { EmailKind } from '../email/queue-email.ts';
import { onInvoiceCreated } from './onInvoiceCreated.ts';

const handlers: InvoiceEmailHandlers = { onInvoiceCreated };
const kinds: readonly EmailKind[] = ['invoice'];

export const invoiceEmail: ServiceModule = {
  name: serviceName,
  handlers,
  start: (runtime) => startMailer(runtime, { service: serviceName, kinds }),
};
