// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** invoice-email: Sends each invoice to the customer, once. */
import type { OutgoingEvent, InvoiceCreated, LogEmitted } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';

export const serviceName = "invoice-email";

/** The only events invoice-email may send. */
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
