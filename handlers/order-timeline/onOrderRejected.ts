// order-timeline: records OrderRejected in the order's timeline, at its rejectedAt.
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordOrderEvent } from './record.ts';

export const onOrderRejected: OrderTimelineHandlers['onOrderRejected'] = (event, ctx) => recordOrderEvent(ctx, 'OrderRejected', event, event.rejectedAt);
