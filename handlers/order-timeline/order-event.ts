// One event of an order's timeline (timeline.order_events), stamped with the event's
// own time, as the read side (read.ts) finds it. Written by record.ts, a group's events
// in one statement.
import { defineEntity, p } from '@mikro-orm/core';

export const OrderEvent = defineEntity({
  name: 'OrderEvent',
  schema: 'timeline',
  tableName: 'order_events',
  properties: {
    orderId: p.uuid().primary(),
    messageId: p.uuid().primary(),
    type: p.string(),
    at: p.datetime(),
    payload: p.json<object>(),
  },
});
