// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-timeline/onPaymentFailed.ts: copy it there and write the business rule.
// orderTimeline_onPaymentFailed
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';

export const onPaymentFailed: OrderTimelineHandlers['onPaymentFailed'] = async (message, ctx) => {
  throw new Error(`order-timeline: onPaymentFailed is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
