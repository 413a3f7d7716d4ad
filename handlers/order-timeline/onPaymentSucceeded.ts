// order-timeline: records PaymentSucceeded in the order's timeline, at its paidAt.
import type { PaymentSucceeded } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onPaymentSucceeded: OrderTimelineHandlers['onPaymentSucceeded'] = recordedAt('PaymentSucceeded', (event: PaymentSucceeded) => event.paidAt);
