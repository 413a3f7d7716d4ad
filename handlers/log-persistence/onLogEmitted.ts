// log-persistence: stores each record of a LogEmitted as one row of logs.log_records,
// once per message (the inbox skips redeliveries; (message_id, seq) is unique besides).
// A service logs as itself: records that name another service than the one the broker
// says sent them are refused (dead-lettered), not stored under a borrowed name.
import type { LogPersistenceHandlers } from '../../generated/services/log-persistence.ts';
import { PermanentError } from '../../runtime/errors.ts';
import { LogRecord } from './log-record.ts';

export const onLogEmitted: LogPersistenceHandlers['onLogEmitted'] = async ({ service, records }, ctx) => {
  if (service !== ctx.sender) throw new PermanentError(`a LogEmitted sent by ${ctx.sender} names ${service} as its service`);
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
