// The one write of order-timeline: an event becomes a row of timeline.order_events,
// at most once per (order, message), stamped with the event's own time.
import type { MessageName } from '../../generated/types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';

export async function recordOrderEvent(ctx: HandlerContext, type: MessageName, event: { readonly orderId: string }, at: string): Promise<never[]> {
  await ctx.em.execute(
    `insert into timeline.order_events (order_id, message_id, type, at, payload) values (?, ?, ?, ?, ?::jsonb)
     on conflict (order_id, message_id) do nothing`,
    [event.orderId, ctx.messageId, type, at, JSON.stringify(event)],
  );
  return [];
}
