// order-timeline: records OrderCancelled in the order's timeline, at its cancelledAt.
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordOrderEvent } from './record.ts';

export const onOrderCancelled: OrderTimelineHandlers['onOrderCancelled'] = (event, ctx) => recordOrderEvent(ctx, 'OrderCancelled', event, event.cancelledAt);
