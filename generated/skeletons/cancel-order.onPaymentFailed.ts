// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/cancel-order/onPaymentFailed.ts: copy it there and write the business rule.
// cancelOrder_onPaymentFailed: Cancel the order and restore its stock, once.
import type { CancelOrderHandlers } from '../../generated/services/cancel-order.ts';

export const onPaymentFailed: CancelOrderHandlers['onPaymentFailed'] = async (message, ctx) => {
  throw new Error(`cancel-order: onPaymentFailed is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
