// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/log-persistence/onLogEmitted.ts: copy it there and write the business rule.
// logPersistence_onLogEmitted: Store each of its log records.
import type { LogPersistenceHandlers } from '../../generated/services/log-persistence.ts';

export const onLogEmitted: LogPersistenceHandlers['onLogEmitted'] = async (message, ctx) => {
  throw new Error(`log-persistence: onLogEmitted is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
