// A stored log record (logs.log_records). Written through the unit of work, so the
// records of a group of deliveries go to the database as one insert at commit.
import { defineEntity, p } from '@mikro-orm/core';

export const LogRecord = defineEntity({
  name: 'LogRecord',
  schema: 'logs',
  tableName: 'log_records',
  properties: {
    id: p.bigint().primary().autoincrement(),
    /** The LogEmitted message's id and the record's place in it: a record is stored once. */
    messageId: p.uuid(),
    seq: p.integer(),
    level: p.string(),
    service: p.string(),
    message: p.text(),
    orderId: p.uuid().nullable(),
    aboutMessageId: p.uuid().nullable(),
    error: p.text().nullable(),
    at: p.datetime(),
    receivedAt: p.datetime().onCreate(() => new Date()),
  },
});
