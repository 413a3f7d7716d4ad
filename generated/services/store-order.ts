// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** store-order: Stores and prices orders, reserves stock atomically. */
import type { OutgoingEvent, LogEmitted, OrderCreated, OrderPersisted, OrderRejected } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "store-order";

/** The only events store-order may send (LogEmitted: sent by every service, x-every-service). */
export type StoreOrderEvent = OutgoingEvent<"LogEmitted" | "OrderPersisted" | "OrderRejected">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** Builds a OrderPersisted to return from a handler (or to write to the outbox). */
export function orderPersisted(payload: OrderPersisted): OutgoingEvent<"OrderPersisted"> {
  return { type: "OrderPersisted", payload };
}

/** Builds a OrderRejected to return from a handler (or to write to the outbox). */
export function orderRejected(payload: OrderRejected): OutgoingEvent<"OrderRejected"> {
  return { type: "OrderRejected", payload };
}

/** What store-order must implement: one handler per message it receives. */
export interface StoreOrderHandlers {
  /** storeOrder_onOrderCreated: Store the order, price its lines and reserve stock for all of them or none. */
  onOrderCreated(message: OrderCreated, ctx: HandlerContext): Promise<readonly StoreOrderEvent[]>;
}

/** What handlers/store-order/index.ts gives defineStoreOrder: its handlers and its options. */
export interface StoreOrderDefinition extends ServiceOptions {
  /** One method per message store-order receives, or a function building them from the configuration. */
  readonly handlers: StoreOrderHandlers | ((config: Config) => StoreOrderHandlers);
}

/** store-order as the host runs it, named as in the contract. */
export function defineStoreOrder(definition: StoreOrderDefinition): ServiceModule<"store-order"> {
  return { ...definition, name: serviceName };
}
