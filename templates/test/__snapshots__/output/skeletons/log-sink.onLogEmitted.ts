// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/log-sink/onLogEmitted.ts: copy it there and write the business rule.
// logSink_onLogEmitted
import type { LogSinkHandlers } from '../../generated/services/log-sink.ts';

export const onLogEmitted: LogSinkHandlers['onLogEmitted'] = async (message, ctx) => {
  throw new Error(`log-sink: onLogEmitted is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
