// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** cancel-order: Cancels orders whose payment failed and restores their stock once. */
import type { OutgoingEvent, LogEmitted, OrderCancelled, PaymentFailed } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "cancel-order";

/** The only events cancel-order may send (LogEmitted: sent by every service, x-every-service). */
export type CancelOrderEvent = OutgoingEvent<"LogEmitted" | "OrderCancelled">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** Builds a OrderCancelled to return from a handler (or to write to the outbox). */
export function orderCancelled(payload: OrderCancelled): OutgoingEvent<"OrderCancelled"> {
  return { type: "OrderCancelled", payload };
}

/** What cancel-order must implement: one handler per message it receives. */
export interface CancelOrderHandlers {
  /** cancelOrder_onPaymentFailed: Cancel the order and restore its stock, once. */
  onPaymentFailed(message: PaymentFailed, ctx: HandlerContext): Promise<readonly CancelOrderEvent[]>;
}

/** What handlers/cancel-order/index.ts gives defineCancelOrder: its handlers and its options. */
export interface CancelOrderDefinition extends ServiceOptions {
  /** One method per message cancel-order receives, or a function building them from the configuration. */
  readonly handlers: CancelOrderHandlers | ((config: Config) => CancelOrderHandlers);
}

/** cancel-order as the host runs it, named as in the contract. */
export function defineCancelOrder(definition: CancelOrderDefinition): ServiceModule<"cancel-order"> {
  return { ...definition, name: serviceName };
}
