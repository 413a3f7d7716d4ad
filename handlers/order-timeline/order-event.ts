// One event of an order's timeline (timeline.order_events), stamped with the event's
// own time. Written through the unit of work, so the events of a group of deliveries
// go to the database as one insert at commit.
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
