// log-persistence: stores each LogEmitted as one row of logs.log_records, once per
// message (message_id is unique, and the inbox already skips redeliveries).
import type { LogPersistenceHandlers } from '../../generated/services/log-persistence.ts';

export const onLogEmitted: LogPersistenceHandlers['onLogEmitted'] = async (record, ctx) => {
  await ctx.em.execute(
    `insert into logs.log_records (message_id, level, service, message, order_id, about_message_id, error, at)
     values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (message_id) do nothing`,
    [ctx.messageId, record.level, record.service, record.message, record.orderId ?? null, record.messageId ?? null, record.error ?? null, record.at],
  );
  return [];
};
