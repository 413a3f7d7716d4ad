// invoice: one numbered invoice per paid order, from the payment event's data.
import type { InvoiceHandlers } from '../../generated/services/invoice.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import { onPaymentSucceeded } from './onPaymentSucceeded.ts';

const handlers: InvoiceHandlers = { onPaymentSucceeded };

export const invoice: ServiceModule = { name: 'invoice', handlers };
