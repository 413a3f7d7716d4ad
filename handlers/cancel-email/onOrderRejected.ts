// A rejected order gets one e-mail saying, product by product, why it could not
// be accepted (unknown product, not enough stock).
import type { CancelEmailHandlers } from '../../generated/services/cancel-email.ts';
import { queueEmail } from '../email/queue-email.ts';
import { rejectionMail } from '../email/templates.ts';

export const onOrderRejected: CancelEmailHandlers['onOrderRejected'] = async (rejection, ctx) => {
  await queueEmail(ctx, { kind: 'rejection', subjectKey: rejection.orderId, to: rejection.email, content: rejectionMail(rejection) });
  return [];
};
