// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-confirmation-email/onPaymentSucceeded.ts: copy it there and write the business rule.
// orderConfirmationEmail_onPaymentSucceeded: Thank the customer for the paid order, once per order.
import type { OrderConfirmationEmailHandlers } from '../../generated/services/order-confirmation-email.ts';

export const onPaymentSucceeded: OrderConfirmationEmailHandlers['onPaymentSucceeded'] = async (message, ctx) => {
  throw new Error(`order-confirmation-email: onPaymentSucceeded is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
