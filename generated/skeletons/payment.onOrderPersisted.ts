// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/payment/onOrderPersisted.ts: copy it there and write the business rule.
// payment_onOrderPersisted: Charge the order once.
import type { PaymentHandlers } from '../../generated/services/payment.ts';

export const onOrderPersisted: PaymentHandlers['onOrderPersisted'] = async (message, ctx) => {
  throw new Error(`payment: onOrderPersisted is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
