// order-timeline: records PaymentFailed in the order's timeline, at its failedAt.
import type { PaymentFailed } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onPaymentFailed: OrderTimelineHandlers['onPaymentFailed'] = recordedAt('PaymentFailed', (event: PaymentFailed) => event.failedAt);
