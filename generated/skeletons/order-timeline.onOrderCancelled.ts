// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-timeline/onOrderCancelled.ts: copy it there and write the business rule.
// orderTimeline_onOrderCancelled
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';

export const onOrderCancelled: OrderTimelineHandlers['onOrderCancelled'] = async (message, ctx) => {
  throw new Error(`order-timeline: onOrderCancelled is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
