// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** log-persistence: Stores the log records every service emits. */
import type { OutgoingEvent, LogEmitted } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "log-persistence";

/** What log-persistence must implement: one handler per message it receives. */
export interface LogPersistenceHandlers {
  /** logPersistence_onLogEmitted: Store each of its log records. */
  onLogEmitted(message: LogEmitted, ctx: HandlerContext): Promise<readonly never[]>;
}

/** What handlers/log-persistence/index.ts gives defineLogPersistence: its handlers and its options. */
export interface LogPersistenceDefinition extends ServiceOptions {
  /** One method per message log-persistence receives, or a function building them from the configuration. */
  readonly handlers: LogPersistenceHandlers | ((config: Config) => LogPersistenceHandlers);
}

/** log-persistence as the host runs it, named as in the contract. */
export function defineLogPersistence(definition: LogPersistenceDefinition): ServiceModule<"log-persistence"> {
  return { ...definition, name: serviceName };
}
