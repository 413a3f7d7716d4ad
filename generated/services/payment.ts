// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** payment: Charges persisted orders through the (simulated) payment gateway. */
import type { OutgoingEvent, LogEmitted, OrderPersisted, PaymentFailed, PaymentSucceeded } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';

export const serviceName = "payment";

/** The only events payment may send. */
export type PaymentEvent = OutgoingEvent<"LogEmitted" | "PaymentFailed" | "PaymentSucceeded">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** Builds a PaymentFailed to return from a handler (or to write to the outbox). */
export function paymentFailed(payload: PaymentFailed): OutgoingEvent<"PaymentFailed"> {
  return { type: "PaymentFailed", payload };
}

/** Builds a PaymentSucceeded to return from a handler (or to write to the outbox). */
export function paymentSucceeded(payload: PaymentSucceeded): OutgoingEvent<"PaymentSucceeded"> {
  return { type: "PaymentSucceeded", payload };
}

/** What payment must implement: one handler per message it receives. */
export interface PaymentHandlers {
  /** payment_onOrderPersisted: Charge the order once. */
  onOrderPersisted(message: OrderPersisted, ctx: HandlerContext): Promise<readonly PaymentEvent[]>;
}
