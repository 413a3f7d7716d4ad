// The runtime's own tables (schema "runtime"): the inbox that makes consumers
// idempotent and the outbox that makes publishing transactional.
import { defineEntity, p } from '@mikro-orm/core';

export const InboxEntry = defineEntity({
  name: 'InboxEntry',
  schema: 'runtime',
  tableName: 'inbox',
  properties: {
    consumer: p.string().primary(),
    messageId: p.uuid().primary(),
    messageType: p.string(),
    processedAt: p.datetime().onCreate(() => new Date()),
  },
});

/** pending → sent, or failed (unroutable) with the error; the relay's work is one query away. */
export const OutboxMessage = defineEntity({
  name: 'OutboxMessage',
  schema: 'runtime',
  tableName: 'outbox',
  properties: {
    id: p.bigint().primary().autoincrement(),
    messageId: p.uuid().unique(),
    messageType: p.string(),
    exchange: p.string(),
    routingKey: p.string(),
    correlationId: p.string().nullable(),
    causationId: p.uuid(),
    traceparent: p.string(),
    appId: p.string(),
    payload: p.json<object>(),
    status: p.string().default('pending'),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
  },
});

export const runtimeEntities = [InboxEntry, OutboxMessage];
