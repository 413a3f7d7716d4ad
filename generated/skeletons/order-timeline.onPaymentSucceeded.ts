// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-timeline/onPaymentSucceeded.ts: copy it there and write the business rule.
// orderTimeline_onPaymentSucceeded
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';

export const onPaymentSucceeded: OrderTimelineHandlers['onPaymentSucceeded'] = async (message, ctx) => {
  throw new Error(`order-timeline: onPaymentSucceeded is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
