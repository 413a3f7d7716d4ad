// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-timeline/onOrderPersisted.ts: copy it there and write the business rule.
// orderTimeline_onOrderPersisted
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';

export const onOrderPersisted: OrderTimelineHandlers['onOrderPersisted'] = async (message, ctx) => {
  throw new Error(`order-timeline: onOrderPersisted is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
