// A rejected order gets one e-mail saying, product by product, why it could not
// be accepted (unknown product, not enough stock). The e-mails of the rejections
// that arrive together are queued at once (runtime/group-step.ts).
import type { CancelEmailEvent } from '../../generated/services/cancel-email.ts';
import type { OrderRejected } from '../../generated/types.ts';
import { handledInGroups } from '../../runtime/group-step.ts';
import { emailForOrderRejected } from '../email/choice.ts';
import { queueEmails } from '../email/queue-email.ts';

export const onOrderRejected = handledInGroups<OrderRejected, readonly CancelEmailEvent[]>(async (rejections) => {
  await queueEmails(rejections.map(({ message: rejection, ctx }) => ({ ctx, email: emailForOrderRejected(rejection) })));
  return rejections.map(() => []);
});
