// order-timeline: records OrderCancelled in the order's timeline, at its cancelledAt.
import type { OrderCancelled } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onOrderCancelled: OrderTimelineHandlers['onOrderCancelled'] = recordedAt('OrderCancelled', (event: OrderCancelled) => event.cancelledAt);
