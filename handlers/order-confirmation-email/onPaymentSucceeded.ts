// A paid order earns the customer one thank-you e-mail, whatever number of times
// (or in whatever number of events) the payment is reported.
import type { OrderConfirmationEmailHandlers } from '../../generated/services/order-confirmation-email.ts';
import { queueEmail } from '../email/queue-email.ts';
import { orderConfirmationMail } from '../email/templates.ts';

export const onPaymentSucceeded: OrderConfirmationEmailHandlers['onPaymentSucceeded'] = async (payment, ctx) => {
  await queueEmail(ctx, { kind: 'order-confirmation', subjectKey: payment.orderId, to: payment.email, content: orderConfirmationMail(payment) });
  return [];
};
