// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** api: HTTP API; accepts orders and writes OrderCreated to its outbox. */
import type { OutgoingEvent, LogEmitted, OrderCreated } from '../types.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "api";

/** The only events api may send (LogEmitted: sent by every service, x-every-service). */
export type ApiEvent = OutgoingEvent<"LogEmitted" | "OrderCreated">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** Builds a OrderCreated to return from a handler (or to write to the outbox). */
export function orderCreated(payload: OrderCreated): OutgoingEvent<"OrderCreated"> {
  return { type: "OrderCreated", payload };
}

/** What handlers/api/index.ts gives defineApi: its handlers and its options. */
export interface ApiDefinition extends ServiceOptions {
  /** api receives no message. */
  readonly handlers?: never;
}

/** api as the host runs it, named as in the contract. */
export function defineApi(definition: ApiDefinition): ServiceModule<"api"> {
  return { ...definition, name: serviceName };
}
