// order-timeline: records OrderRejected in the order's timeline, at its rejectedAt.
import type { OrderRejected } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onOrderRejected: OrderTimelineHandlers['onOrderRejected'] = recordedAt('OrderRejected', (event: OrderRejected) => event.rejectedAt);
