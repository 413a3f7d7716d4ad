// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-timeline/onOrderCreated.ts: copy it there and write the business rule.
// orderTimeline_onOrderCreated
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';

export const onOrderCreated: OrderTimelineHandlers['onOrderCreated'] = async (message, ctx) => {
  throw new Error(`order-timeline: onOrderCreated is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
