// The one write of order-timeline: an event becomes a row of timeline.order_events,
// once per (order, message) (the inbox skips redeliveries), stamped with the event's own time.
import type { MessageName } from '../../generated/types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import { OrderEvent } from './order-event.ts';

export async function recordOrderEvent(ctx: HandlerContext, type: MessageName, event: { readonly orderId: string }, at: string): Promise<never[]> {
  ctx.em.create(OrderEvent, { orderId: event.orderId, messageId: ctx.messageId, type, at: new Date(at), payload: event });
  return [];
}
