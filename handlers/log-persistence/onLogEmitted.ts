// log-persistence: stores each LogEmitted as one row of logs.log_records, once per
// message (the inbox skips redeliveries; message_id is unique besides).
import type { LogPersistenceHandlers } from '../../generated/services/log-persistence.ts';
import { LogRecord } from './log-record.ts';

export const onLogEmitted: LogPersistenceHandlers['onLogEmitted'] = async (record, ctx) => {
  ctx.em.create(LogRecord, {
    messageId: ctx.messageId,
    level: record.level,
    service: record.service,
    message: record.message,
    orderId: record.orderId ?? null,
    aboutMessageId: record.messageId ?? null,
    error: record.error ?? null,
    at: new Date(record.at),
  });
  return [];
};
