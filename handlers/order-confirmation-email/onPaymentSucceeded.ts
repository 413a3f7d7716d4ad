// A paid order earns the customer one thank-you e-mail, whatever number of times
// (or in whatever number of events) the payment is reported. The e-mails of the
// payments that arrive together are queued at once (runtime/group-step.ts).
import type { OrderConfirmationEmailEvent } from '../../generated/services/order-confirmation-email.ts';
import type { PaymentSucceeded } from '../../generated/types.ts';
import { handledInGroups } from '../../runtime/group-step.ts';
import { emailForPaymentSucceeded } from '../email/choice.ts';
import { queueEmails } from '../email/queue-email.ts';

export const onPaymentSucceeded = handledInGroups<PaymentSucceeded, readonly OrderConfirmationEmailEvent[]>(async (payments) => {
  await queueEmails(payments.map(({ message: payment, ctx }) => ({ ctx, email: emailForPaymentSucceeded(payment) })));
  return payments.map(() => []);
});
