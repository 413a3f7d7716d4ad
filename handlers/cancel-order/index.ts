// cancel-order: when a payment fails, cancels the order and restores its stock, once.
import type { CancelOrderHandlers } from '../../generated/services/cancel-order.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import { onPaymentFailed } from './onPaymentFailed.ts';

const handlers: CancelOrderHandlers = { onPaymentFailed };

// Restoring stock updates product rows: one transaction at a time, so batches queue instead of deadlocking.
export const cancelOrder: ServiceModule = { name: 'cancel-order', handlers, commit: { lanes: 1 } };
