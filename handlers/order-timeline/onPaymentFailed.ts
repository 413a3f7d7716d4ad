// order-timeline: records PaymentFailed in the order's timeline, at its failedAt.
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordOrderEvent } from './record.ts';

export const onPaymentFailed: OrderTimelineHandlers['onPaymentFailed'] = (event, ctx) => recordOrderEvent(ctx, 'PaymentFailed', event, event.failedAt);
