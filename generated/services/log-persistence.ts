// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** log-persistence: Stores the log records every service emits. */
import type { OutgoingEvent, LogEmitted } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';

export const serviceName = "log-persistence";

/** What log-persistence must implement: one handler per message it receives. */
export interface LogPersistenceHandlers {
  /** logPersistence_onLogEmitted: Store the log record. */
  onLogEmitted(message: LogEmitted, ctx: HandlerContext): Promise<readonly never[]>;
}
