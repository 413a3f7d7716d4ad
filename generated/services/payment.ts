// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** payment: Charges persisted orders through the (simulated) payment gateway. */
import type { OutgoingEvent, LogEmitted, OrderPersisted, PaymentFailed, PaymentSucceeded } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "payment";

/** The only events payment may send (LogEmitted: sent by every service, x-every-service). */
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

/** What handlers/payment/index.ts gives definePayment: its handlers and its options. */
export interface PaymentDefinition extends ServiceOptions {
  /** One method per message payment receives, or a function building them from the configuration. */
  readonly handlers: PaymentHandlers | ((config: Config) => PaymentHandlers);
}

/** payment as the host runs it, named as in the contract. */
export function definePayment(definition: PaymentDefinition): ServiceModule<"payment"> {
  return { ...definition, name: serviceName };
}
