// The one write of order-timeline: each event becomes a row of timeline.order_events,
// once per (order, message) (the inbox skips redeliveries), stamped with the time the
// event itself carries. Every handler of order-timeline is this one group step
// (runtime/group-step.ts), so the events of a group commit, of whatever type, go in
// one statement: through the unit of work each row cost an entity, about twice the CPU
// of its row in one insert.
import type { MessageName } from '../../generated/types.ts';
import { handledInGroups, type GroupHandler, type GroupStep } from '../../runtime/group-step.ts';

interface OrderEventMessage { readonly orderId: string }

/** Where each recorded type carries its own time; filled by recordedAt. */
const timeOf = new Map<string, (event: never) => string>();

const recordOrderEvents: GroupStep<OrderEventMessage, readonly never[]> = async (items) => {
  const rows = items.map(({ message, ctx }) => {
    const at = timeOf.get(ctx.type);
    if (!at) throw new Error(`order-timeline has no handler for ${ctx.type}`);
    return [message.orderId, ctx.messageId, ctx.type, at(message as never), JSON.stringify(message)];
  });
  await items[0]!.ctx.em.execute(`insert into timeline.order_events (order_id, message_id, type, at, payload) values ${rows.map(() => '(?, ?, ?, ?, ?)').join(', ')}`, rows.flat());
  return items.map(() => []);
};

/** The handler that records events of `type`, stamped with the time `at` reads from each. */
export function recordedAt<E extends OrderEventMessage>(type: MessageName, at: (event: E) => string): GroupHandler<E, readonly never[]> {
  timeOf.set(type, at);
  return handledInGroups(recordOrderEvents as GroupStep<E, readonly never[]>);
}
