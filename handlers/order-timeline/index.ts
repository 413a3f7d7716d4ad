// order-timeline: the read model behind GET /orders/{orderId}: every event of an
// order, once per message, stamped with the time the event itself carries.
import { defineOrderTimeline } from '../../generated/services/order-timeline.ts';
import { onInvoiceCreated } from './onInvoiceCreated.ts';
import { onOrderCancelled } from './onOrderCancelled.ts';
import { onOrderCreated } from './onOrderCreated.ts';
import { onOrderPersisted } from './onOrderPersisted.ts';
import { onOrderRejected } from './onOrderRejected.ts';
import { onPaymentFailed } from './onPaymentFailed.ts';
import { onPaymentSucceeded } from './onPaymentSucceeded.ts';
import { OrderEvent } from './order-event.ts';

export const orderTimeline = defineOrderTimeline({
  data: { owns: ['timeline'] },
  handlers: { onInvoiceCreated, onOrderCancelled, onOrderCreated, onOrderPersisted, onOrderRejected, onPaymentFailed, onPaymentSucceeded },
  entities: [OrderEvent],
  // A read model: 100 ms later on GET /orders/{orderId} is no one's loss, and deliveries that gather
  // for it share one transaction instead of one or two each under moderate load (a full group goes at once).
  commit: { gatherMs: 100 },
});
