// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** cancel-order: Cancels orders whose payment failed and restores their stock once. */
import type { OutgoingEvent, LogEmitted, OrderCancelled, PaymentFailed } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';

export const serviceName = "cancel-order";

/** The only events cancel-order may send. */
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
