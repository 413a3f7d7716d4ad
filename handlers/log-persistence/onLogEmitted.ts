// log-persistence: stores each record of a LogEmitted as one row of logs.log_records,
// once per message (the inbox skips redeliveries; (message_id, seq) is unique besides).
import type { LogPersistenceHandlers } from '../../generated/services/log-persistence.ts';
import { LogRecord } from './log-record.ts';

export const onLogEmitted: LogPersistenceHandlers['onLogEmitted'] = async ({ service, records }, ctx) => {
  records.forEach((record, seq) => ctx.em.create(LogRecord, {
    messageId: ctx.messageId,
    seq,
    level: record.level,
    service,
    message: record.message,
    orderId: record.orderId ?? null,
    aboutMessageId: record.messageId ?? null,
    error: record.error ?? null,
    at: new Date(record.at),
  }));
  return [];
};
