// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** invoice: Issues one numbered invoice per paid order, from the event's data alone. */
import type { OutgoingEvent, InvoiceCreated, LogEmitted, PaymentSucceeded } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "invoice";

/** The only events invoice may send (LogEmitted: sent by every service, x-every-service). */
export type InvoiceEvent = OutgoingEvent<"InvoiceCreated" | "LogEmitted">;

/** Builds a InvoiceCreated to return from a handler (or to write to the outbox). */
export function invoiceCreated(payload: InvoiceCreated): OutgoingEvent<"InvoiceCreated"> {
  return { type: "InvoiceCreated", payload };
}

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** What invoice must implement: one handler per message it receives. */
export interface InvoiceHandlers {
  /** invoice_onPaymentSucceeded: Issue one numbered invoice for the paid order. */
  onPaymentSucceeded(message: PaymentSucceeded, ctx: HandlerContext): Promise<readonly InvoiceEvent[]>;
}

/** What handlers/invoice/index.ts gives defineInvoice: its handlers and its options. */
export interface InvoiceDefinition extends ServiceOptions {
  /** One method per message invoice receives, or a function building them from the configuration. */
  readonly handlers: InvoiceHandlers | ((config: Config) => InvoiceHandlers);
}

/** invoice as the host runs it, named as in the contract. */
export function defineInvoice(definition: InvoiceDefinition): ServiceModule<"invoice"> {
  return { ...definition, name: serviceName };
}
