// store-order: turns OrderCreated into a stored, priced order with its stock reserved
// (OrderPersisted), or a rejection that reserved nothing (OrderRejected).
import type { StoreOrderHandlers } from '../../generated/services/store-order.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import { onOrderCreated } from './onOrderCreated.ts';
import { Product } from './product.ts';

const handlers: StoreOrderHandlers = { onOrderCreated };

// Every order changes stock, and stock changes queue on one lock (stock.ts): one transaction at a time.
export const storeOrder: ServiceModule = { name: 'store-order', handlers, entities: [Product], commit: { lanes: 1 } };
