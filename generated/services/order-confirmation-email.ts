// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** order-confirmation-email: Thanks the customer for a paid order, once. */
import type { OutgoingEvent, LogEmitted, PaymentSucceeded } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "order-confirmation-email";

/** The only events order-confirmation-email may send (LogEmitted: sent by every service, x-every-service). */
export type OrderConfirmationEmailEvent = OutgoingEvent<"LogEmitted">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** What order-confirmation-email must implement: one handler per message it receives. */
export interface OrderConfirmationEmailHandlers {
  /** orderConfirmationEmail_onPaymentSucceeded: Thank the customer for the paid order, once per order. */
  onPaymentSucceeded(message: PaymentSucceeded, ctx: HandlerContext): Promise<readonly OrderConfirmationEmailEvent[]>;
}

/** What handlers/order-confirmation-email/index.ts gives defineOrderConfirmationEmail: its handlers and its options. */
export interface OrderConfirmationEmailDefinition extends ServiceOptions {
  /** One method per message order-confirmation-email receives, or a function building them from the configuration. */
  readonly handlers: OrderConfirmationEmailHandlers | ((config: Config) => OrderConfirmationEmailHandlers);
}

/** order-confirmation-email as the host runs it, named as in the contract. */
export function defineOrderConfirmationEmail(definition: OrderConfirmationEmailDefinition): ServiceModule<"order-confirmation-email"> {
  return { ...definition, name: serviceName };
}
