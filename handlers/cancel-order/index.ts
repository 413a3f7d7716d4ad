// cancel-order: when a payment fails, cancels the order and restores its stock, once.
import type { CancelOrderHandlers } from '../../generated/services/cancel-order.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import { onPaymentFailed } from './onPaymentFailed.ts';

const handlers: CancelOrderHandlers = { onPaymentFailed };

// Restoring stock queues on the stock lock (store-order/stock.ts): one transaction at a time.
export const cancelOrder: ServiceModule = { name: 'cancel-order', handlers, commit: { lanes: 1 } };
