// order-timeline: records OrderCreated in the order's timeline, at its createdAt.
import type { OrderCreated } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onOrderCreated: OrderTimelineHandlers['onOrderCreated'] = recordedAt('OrderCreated', (event: OrderCreated) => event.createdAt);
