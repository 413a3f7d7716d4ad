// cancel-order: when a payment fails, cancels the order and restores its stock, once.
import { defineCancelOrder } from '../../generated/services/cancel-order.ts';
import { onPaymentFailed } from './onPaymentFailed.ts';
import { cancellationAccess } from '../store-order/stock.ts';

// One transaction at a time, each taking every delivery in flight: a group costs the round trips of one cancellation.
export const cancelOrder = defineCancelOrder({ handlers: { onPaymentFailed }, data: cancellationAccess, commit: { lanes: 1 } });
