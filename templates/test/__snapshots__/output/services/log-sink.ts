// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** log-sink: Stores the log records the other services emit. */
import type { OutgoingEvent, LogEmitted } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

export const serviceName = "log-sink";

/** What log-sink must implement: one handler per message it receives. */
export interface LogSinkHandlers {
  /** logSink_onLogEmitted */
  onLogEmitted(message: LogEmitted, ctx: HandlerContext): Promise<readonly never[]>;
}

/** What handlers/log-sink/index.ts gives defineLogSink: its handlers and its options. */
export interface LogSinkDefinition extends ServiceOptions {
  /** One method per message log-sink receives, or a function building them from the configuration. */
  readonly handlers: LogSinkHandlers | ((config: Config) => LogSinkHandlers);
}

/** log-sink as the host runs it, named as in the contract. */
export function defineLogSink(definition: LogSinkDefinition): ServiceModule<"log-sink"> {
  return { ...definition, name: serviceName };
}
