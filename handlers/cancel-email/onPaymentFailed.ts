// An order cancelled for a failed payment gets one e-mail telling the customer so,
// with the amount that could not be charged.
import type { CancelEmailHandlers } from '../../generated/services/cancel-email.ts';
import { emailForPaymentFailed } from '../email/choice.ts';
import { queueEmail } from '../email/queue-email.ts';

export const onPaymentFailed: CancelEmailHandlers['onPaymentFailed'] = async (failure, ctx) => {
  await queueEmail(ctx, emailForPaymentFailed(failure));
  return [];
};
