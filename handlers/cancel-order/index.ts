// cancel-order: when a payment fails, cancels the order and restores its stock, once.
import { defineCancelOrder } from '../../generated/services/cancel-order.ts';
import { onPaymentFailed } from './onPaymentFailed.ts';
import { cancellationAccess } from '../store-order/stock.ts';

// Restoring stock queues on the stock lock (store-order/stock.ts): one transaction at a time.
export const cancelOrder = defineCancelOrder({ handlers: { onPaymentFailed }, data: cancellationAccess, commit: { lanes: 1 } });
