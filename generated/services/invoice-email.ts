// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** invoice-email: Sends each invoice to the customer, once. */
import type { OutgoingEvent, InvoiceCreated, LogEmitted } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "invoice-email";

/** The only events invoice-email may send (LogEmitted: sent by every service, x-every-service). */
export type InvoiceEmailEvent = OutgoingEvent<"LogEmitted">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** What invoice-email must implement: one handler per message it receives. */
export interface InvoiceEmailHandlers {
  /** invoiceEmail_onInvoiceCreated: Send the invoice to the customer, once per invoice. */
  onInvoiceCreated(message: InvoiceCreated, ctx: HandlerContext): Promise<readonly InvoiceEmailEvent[]>;
}

/** What handlers/invoice-email/index.ts gives defineInvoiceEmail: its handlers and its options. */
export interface InvoiceEmailDefinition extends ServiceOptions {
  /** One method per message invoice-email receives, or a function building them from the configuration. */
  readonly handlers: InvoiceEmailHandlers | ((config: Config) => InvoiceEmailHandlers);
}

/** invoice-email as the host runs it, named as in the contract. */
export function defineInvoiceEmail(definition: InvoiceEmailDefinition): ServiceModule<"invoice-email"> {
  return { ...definition, name: serviceName };
}
