// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/cancel-email/onPaymentFailed.ts: copy it there and write the business rule.
// cancelEmail_onPaymentFailed: Tell the customer the order was cancelled because payment failed.
import type { CancelEmailHandlers } from '../../generated/services/cancel-email.ts';

export const onPaymentFailed: CancelEmailHandlers['onPaymentFailed'] = async (message, ctx) => {
  throw new Error(`cancel-email: onPaymentFailed is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
