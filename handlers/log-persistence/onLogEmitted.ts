// log-persistence: stores each record of a LogEmitted as one row of logs.log_records,
// once per message (the inbox skips redeliveries; (message_id, seq) is unique besides).
// The records of a whole group of messages go in one statement (runtime/group-step.ts):
// through the unit of work each record cost an entity, about twice the CPU of its row
// in one insert, and records are the most numerous rows of the system (one or more for
// every message any service handles).
// A service logs as itself: records that name another service than the one the broker
// says sent them are refused (dead-lettered), not stored under a borrowed name; the
// refusal fails the group, and the runtime commits its messages one by one, so only
// that message is refused.
import type { LogEmitted } from '../../generated/types.ts';
import { PermanentError } from '../../runtime/errors.ts';
import { handledInGroups } from '../../runtime/group-step.ts';

export const onLogEmitted = handledInGroups<LogEmitted, readonly never[]>(async (items) => {
  for (const { message, ctx } of items) {
    if (message.service !== ctx.sender) throw new PermanentError(`a LogEmitted sent by ${ctx.sender} names ${message.service} as its service`);
  }
  const rows = items.flatMap(({ message: { service, records }, ctx }) => records.map((record, seq) => [
    ctx.messageId, seq, record.level, service, record.message, record.orderId ?? null, record.messageId ?? null, record.error ?? null, record.at,
  ]));
  if (rows.length > 0) {
    await items[0]!.ctx.em.execute(
      `insert into logs.log_records (message_id, seq, level, service, message, order_id, about_message_id, error, at)
       values ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows.flat(),
    );
  }
  return items.map(() => []);
});
