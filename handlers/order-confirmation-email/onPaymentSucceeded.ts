// A paid order earns the customer one thank-you e-mail, whatever number of times
// (or in whatever number of events) the payment is reported.
import type { OrderConfirmationEmailHandlers } from '../../generated/services/order-confirmation-email.ts';
import { emailForPaymentSucceeded } from '../email/choice.ts';
import { queueEmail } from '../email/queue-email.ts';

export const onPaymentSucceeded: OrderConfirmationEmailHandlers['onPaymentSucceeded'] = async (payment, ctx) => {
  await queueEmail(ctx, emailForPaymentSucceeded(payment));
  return [];
};
