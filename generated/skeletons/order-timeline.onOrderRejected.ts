// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-timeline/onOrderRejected.ts: copy it there and write the business rule.
// orderTimeline_onOrderRejected
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';

export const onOrderRejected: OrderTimelineHandlers['onOrderRejected'] = async (message, ctx) => {
  throw new Error(`order-timeline: onOrderRejected is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
