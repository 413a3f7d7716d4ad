// Writes events to the transactional outbox, in the caller's transaction: an event
// exists exactly when the effect that produced it committed. Each event is
// validated against the contract before it is written, and gets its envelope:
// a fresh messageId, the order as correlationId, its cause, its trace.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { messages } from '../generated/registry.ts';
import type { OutgoingEvent } from '../generated/types.ts';
import { childTraceparent } from './envelope.ts';
import { PermanentError } from './errors.ts';

export interface Cause {
  /** The service writing the events (the AMQP appId). */
  readonly service: string;
  /** The consumed message's id; a root event (from HTTP) is its own cause. */
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly traceparent?: string;
}

export function invalidEventError(event: OutgoingEvent, cause: Cause): PermanentError | undefined {
  const route = messages[event.type];
  if (route.validate(event.payload)) return undefined;
  const errors = (route.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  return new PermanentError(`${cause.service} produced an invalid ${event.type}${cause.messageId ? ` while handling ${cause.messageId}` : ''}: ${errors}`);
}

/** Adds the events to the outbox; returns their messageIds. */
export async function writeToOutbox(em: EntityManager, events: readonly OutgoingEvent[], cause: Cause): Promise<string[]> {
  if (events.length === 0) return [];
  const values: unknown[] = [];
  const ids: string[] = [];
  for (const event of events) {
    const invalid = invalidEventError(event, cause);
    if (invalid) throw invalid;
    const route = messages[event.type];
    const messageId = randomUUID();
    const orderId = (event.payload as { orderId?: string }).orderId;
    ids.push(messageId);
    values.push(
      messageId, event.type, route.exchange, route.routingKey,
      orderId ?? cause.correlationId ?? null,
      cause.messageId ?? messageId,
      childTraceparent(cause.traceparent),
      cause.service,
      JSON.stringify(event.payload),
    );
  }
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)';
  await em.execute(
    `insert into runtime.outbox (message_id, message_type, exchange, routing_key, correlation_id, causation_id, traceparent, app_id, payload)
     values ${events.map(() => row).join(', ')}`,
    values,
  );
  return ids;
}
