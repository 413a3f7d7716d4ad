// order-timeline: records PaymentSucceeded in the order's timeline, at its paidAt.
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordOrderEvent } from './record.ts';

export const onPaymentSucceeded: OrderTimelineHandlers['onPaymentSucceeded'] = (event, ctx) => recordOrderEvent(ctx, 'PaymentSucceeded', event, event.paidAt);
