// order-timeline: records OrderCreated in the order's timeline, at its createdAt.
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordOrderEvent } from './record.ts';

export const onOrderCreated: OrderTimelineHandlers['onOrderCreated'] = (event, ctx) => recordOrderEvent(ctx, 'OrderCreated', event, event.createdAt);
