// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/cancel-email/onOrderRejected.ts: copy it there and write the business rule.
// cancelEmail_onOrderRejected: Tell the customer the order was rejected, and why.
import type { CancelEmailHandlers } from '../../generated/services/cancel-email.ts';

export const onOrderRejected: CancelEmailHandlers['onOrderRejected'] = async (message, ctx) => {
  throw new Error(`cancel-email: onOrderRejected is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
