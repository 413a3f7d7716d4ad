// order-timeline: records OrderPersisted in the order's timeline, at its persistedAt.
import type { OrderPersisted } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onOrderPersisted: OrderTimelineHandlers['onOrderPersisted'] = recordedAt('OrderPersisted', (event: OrderPersisted) => event.persistedAt);
