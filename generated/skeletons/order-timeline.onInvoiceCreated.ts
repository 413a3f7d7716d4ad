// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/order-timeline/onInvoiceCreated.ts: copy it there and write the business rule.
// orderTimeline_onInvoiceCreated
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';

export const onInvoiceCreated: OrderTimelineHandlers['onInvoiceCreated'] = async (message, ctx) => {
  throw new Error(`order-timeline: onInvoiceCreated is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
