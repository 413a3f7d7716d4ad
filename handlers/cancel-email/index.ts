// cancel-email: tells the customer that the order was rejected or cancelled, once
// per order. The handlers queue the e-mails; the dispatcher started here sends them.
import { serviceName, type CancelEmailHandlers } from '../../generated/services/cancel-email.ts';
import { startMailer } from '../../runtime/mail/mailer.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import type { EmailKind } from '../email/queue-email.ts';
import { onOrderRejected } from './onOrderRejected.ts';
import { onPaymentFailed } from './onPaymentFailed.ts';

const handlers: CancelEmailHandlers = { onOrderRejected, onPaymentFailed };
const kinds: readonly EmailKind[] = ['cancellation', 'rejection'];

export const cancelEmail: ServiceModule = {
  name: serviceName,
  handlers,
  start: (runtime) => startMailer(runtime, { service: serviceName, kinds }),
};
