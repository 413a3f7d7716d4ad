// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** web: Accepts things over HTTP. */
import type { OutgoingEvent, LogEmitted, ThingCreated } from '../types.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "web";

/** The only events web may send (LogEmitted: sent by every service, x-every-service). */
export type WebEvent = OutgoingEvent<"LogEmitted" | "ThingCreated">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** Builds a ThingCreated to return from a handler (or to write to the outbox). */
export function thingCreated(payload: ThingCreated): OutgoingEvent<"ThingCreated"> {
  return { type: "ThingCreated", payload };
}

/** What handlers/web/index.ts gives defineWeb: its handlers and its options. */
export interface WebDefinition extends ServiceOptions {
  /** web receives no message. */
  readonly handlers?: never;
}

/** web as the host runs it, named as in the contract. */
export function defineWeb(definition: WebDefinition): ServiceModule<"web"> {
  return { ...definition, name: serviceName };
}
