// An order cancelled for a failed payment gets one e-mail telling the customer so,
// with the amount that could not be charged. The e-mails of the failures that arrive
// together are queued at once (runtime/group-step.ts).
import type { CancelEmailEvent } from '../../generated/services/cancel-email.ts';
import type { PaymentFailed } from '../../generated/types.ts';
import { handledInGroups } from '../../runtime/group-step.ts';
import { emailForPaymentFailed } from '../email/choice.ts';
import { queueEmails } from '../email/queue-email.ts';

export const onPaymentFailed = handledInGroups<PaymentFailed, readonly CancelEmailEvent[]>(async (failures) => {
  await queueEmails(failures.map(({ message: failure, ctx }) => ({ ctx, email: emailForPaymentFailed(failure) })));
  return failures.map(() => []);
});
