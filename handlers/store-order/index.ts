// store-order: turns OrderCreated into a stored, priced order with its stock reserved
// (OrderPersisted), or a rejection that reserved nothing (OrderRejected).
import { defineStoreOrder } from '../../generated/services/store-order.ts';
import { onOrderCreated } from './onOrderCreated.ts';
import { Product } from './product.ts';

// Every order changes stock, and stock changes queue on one lock (stock.ts): one transaction at a time.
export const storeOrder = defineStoreOrder({ handlers: { onOrderCreated }, entities: [Product], data: { owns: ['shop'] }, commit: { lanes: 1 } });
