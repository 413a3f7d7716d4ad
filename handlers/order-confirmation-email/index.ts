// order-confirmation-email: thanks the customer for a paid order, once per order.
// The handler queues the e-mail; the dispatcher started here sends it.
import { defineOrderConfirmationEmail, serviceName } from '../../generated/services/order-confirmation-email.ts';
import { startMailer } from '../../runtime/mail/mailer.ts';
import type { EmailKind } from '../email/queue-email.ts';
import { onPaymentSucceeded } from './onPaymentSucceeded.ts';

const kinds: readonly EmailKind[] = ['order-confirmation'];

export const orderConfirmationEmail = defineOrderConfirmationEmail({
  data: { owns: ['mail'] },
  handlers: { onPaymentSucceeded },
  start: (runtime) => startMailer(runtime, { service: serviceName, kinds }),
});
