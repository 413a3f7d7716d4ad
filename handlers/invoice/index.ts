// invoice: one numbered invoice per paid order, from the payment event's data.
import { defineInvoice } from '../../generated/services/invoice.ts';
import { onPaymentSucceeded } from './onPaymentSucceeded.ts';

export const invoice = defineInvoice({ handlers: { onPaymentSucceeded }, data: { owns: ['invoice'] } });
