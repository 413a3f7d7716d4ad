// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** cancel-email: Tells the customer that the order was rejected or cancelled. */
import type { OutgoingEvent, LogEmitted, OrderRejected, PaymentFailed } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "cancel-email";

/** The only events cancel-email may send (LogEmitted: sent by every service, x-every-service). */
export type CancelEmailEvent = OutgoingEvent<"LogEmitted">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** What cancel-email must implement: one handler per message it receives. */
export interface CancelEmailHandlers {
  /** cancelEmail_onOrderRejected: Tell the customer the order was rejected, and why. */
  onOrderRejected(message: OrderRejected, ctx: HandlerContext): Promise<readonly CancelEmailEvent[]>;
  /** cancelEmail_onPaymentFailed: Tell the customer the order was cancelled because payment failed. */
  onPaymentFailed(message: PaymentFailed, ctx: HandlerContext): Promise<readonly CancelEmailEvent[]>;
}

/** What handlers/cancel-email/index.ts gives defineCancelEmail: its handlers and its options. */
export interface CancelEmailDefinition extends ServiceOptions {
  /** One method per message cancel-email receives, or a function building them from the configuration. */
  readonly handlers: CancelEmailHandlers | ((config: Config) => CancelEmailHandlers);
}

/** cancel-email as the host runs it, named as in the contract. */
export function defineCancelEmail(definition: CancelEmailDefinition): ServiceModule<"cancel-email"> {
  return { ...definition, name: serviceName };
}
