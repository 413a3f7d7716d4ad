// A rejected order gets one e-mail saying, product by product, why it could not
// be accepted (unknown product, not enough stock).
import type { CancelEmailHandlers } from '../../generated/services/cancel-email.ts';
import { emailForOrderRejected } from '../email/choice.ts';
import { queueEmail } from '../email/queue-email.ts';

export const onOrderRejected: CancelEmailHandlers['onOrderRejected'] = async (rejection, ctx) => {
  await queueEmail(ctx, emailForOrderRejected(rejection));
  return [];
};
