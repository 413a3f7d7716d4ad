// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** api: HTTP API; accepts orders and writes OrderCreated to its outbox. */
import type { OutgoingEvent, LogEmitted, OrderCreated } from '../types.ts';

export const serviceName = "api";

/** The only events api may send. */
export type ApiEvent = OutgoingEvent<"LogEmitted" | "OrderCreated">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** Builds a OrderCreated to return from a handler (or to write to the outbox). */
export function orderCreated(payload: OrderCreated): OutgoingEvent<"OrderCreated"> {
  return { type: "OrderCreated", payload };
}
