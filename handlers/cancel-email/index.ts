// cancel-email: tells the customer that the order was rejected or cancelled, once
// per order. The handlers queue the e-mails; the dispatcher started here sends them.
import { defineCancelEmail, serviceName } from '../../generated/services/cancel-email.ts';
import { startMailer } from '../../runtime/mail/mailer.ts';
import type { EmailKind } from '../email/queue-email.ts';
import { onOrderRejected } from './onOrderRejected.ts';
import { onPaymentFailed } from './onPaymentFailed.ts';

const kinds: readonly EmailKind[] = ['cancellation', 'rejection'];

export const cancelEmail = defineCancelEmail({
  data: { owns: ['mail'] },
  handlers: { onOrderRejected, onPaymentFailed },
  start: (runtime) => startMailer(runtime, { service: serviceName, kinds }),
});
