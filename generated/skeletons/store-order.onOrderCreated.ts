// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/store-order/onOrderCreated.ts: copy it there and write the business rule.
// storeOrder_onOrderCreated: Store the order, price its lines and reserve stock for all of them or none.
import type { StoreOrderHandlers } from '../../generated/services/store-order.ts';

export const onOrderCreated: StoreOrderHandlers['onOrderCreated'] = async (message, ctx) => {
  throw new Error(`store-order: onOrderCreated is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
