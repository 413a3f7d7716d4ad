// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** worker: Works on each thing once. */
import type { OutgoingEvent, LogEmitted, ThingCreated, ThingDone } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "worker";

/** The only events worker may send (LogEmitted: sent by every service, x-every-service). */
export type WorkerEvent = OutgoingEvent<"LogEmitted" | "ThingDone">;

/** Builds a LogEmitted to return from a handler (or to write to the outbox). */
export function logEmitted(payload: LogEmitted): OutgoingEvent<"LogEmitted"> {
  return { type: "LogEmitted", payload };
}

/** Builds a ThingDone to return from a handler (or to write to the outbox). */
export function thingDone(payload: ThingDone): OutgoingEvent<"ThingDone"> {
  return { type: "ThingDone", payload };
}

/** What worker must implement: one handler per message it receives. */
export interface WorkerHandlers {
  /** worker_onThingCreated: Work on the thing. */
  onThingCreated(message: ThingCreated, ctx: HandlerContext): Promise<readonly WorkerEvent[]>;
}

/** What handlers/worker/index.ts gives defineWorker: its handlers and its options. */
export interface WorkerDefinition extends ServiceOptions {
  /** One method per message worker receives, or a function building them from the configuration. */
  readonly handlers: WorkerHandlers | ((config: Config) => WorkerHandlers);
}

/** worker as the host runs it, named as in the contract. */
export function defineWorker(definition: WorkerDefinition): ServiceModule<"worker"> {
  return { ...definition, name: serviceName };
}
