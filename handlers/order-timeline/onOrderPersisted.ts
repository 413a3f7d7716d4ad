// order-timeline: records OrderPersisted in the order's timeline, at its persistedAt.
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordOrderEvent } from './record.ts';

export const onOrderPersisted: OrderTimelineHandlers['onOrderPersisted'] = (event, ctx) => recordOrderEvent(ctx, 'OrderPersisted', event, event.persistedAt);
