// Writes events to the transactional outbox, in the caller's transaction: an event
// exists exactly when the effect that produced it committed. Each event is
// validated against the contract before it is written, and gets its envelope:
// a fresh messageId, the order as correlationId, its cause, its trace (the span of
// the work that wrote it, so that its handling is that span's child).
// What it returns is ready to publish: once the transaction committed, the writer
// hands it to OutboxRelay.publishCommitted, and the relay's pass is the fallback.
// Log records are the exception: they wait for a batch (runtime/log-batcher.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import { messages } from '../generated/registry.ts';
import type { LogEmitted, OutgoingEvent } from '../generated/types.ts';
import { publishOptions } from './envelope.ts';
import { PermanentError } from './errors.ts';
import type { Outgoing } from './publisher.ts';
import { lastStatement } from './transaction-round-trips.ts';
import { activeSpan, effectTraceparent, type Span } from './tracing.ts';
import { uuidv7 } from './uuid-v7.ts';

export interface Cause {
  /** The service writing the events (the AMQP appId). */
  readonly service: string;
  /** The consumed message's id; a root event (from HTTP) is its own cause. */
  readonly messageId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly traceparent?: string | undefined;
  /** The span of the work that produced the events (a delivery's); else the active span (an HTTP request's). */
  readonly span?: Span | undefined;
}

export function invalidEventError(event: OutgoingEvent, cause: Cause): PermanentError | undefined {
  const route = messages[event.type];
  if (route.validate(event.payload)) return undefined;
  const errors = (route.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  return new PermanentError(`${cause.service} produced an invalid ${event.type}${cause.messageId ? ` while handling ${cause.messageId}` : ''}: ${errors}`);
}

/** Events with their causes, as written by one transaction (a batch of deliveries writes several causes at once). */
export interface Caused {
  readonly events: readonly OutgoingEvent[];
  readonly cause: Cause;
}

/** The order an event is about: its orderId, or the one order all its log records are about. */
function orderOf(event: OutgoingEvent): string | undefined {
  const payload = event.payload as { orderId?: string; records?: readonly { orderId?: string }[] };
  if (payload.orderId) return payload.orderId;
  const orders = new Set(payload.records?.map((r) => r.orderId));
  return orders.size === 1 ? [...orders][0] : undefined;
}

/** Adds the events to the outbox in one statement; returns them as messages to publish after the commit. */
export async function writeToOutbox(em: EntityManager, events: readonly OutgoingEvent[], cause: Cause): Promise<Outgoing[]> {
  return writeAllToOutbox(em, [{ events, cause }]);
}

/** Statements this process sent that added pending log records, committed or not: the LogBatcher's loop skips a pass when none was sent since its last. */
let logRecordStatements = 0;
export const logRecordStatementsSoFar = (): number => logRecordStatements;

/** A statement and its values, as em.execute takes them. */
export interface Statement {
  readonly sql: string;
  readonly values: unknown[];
}

/** What writeAllToOutbox does besides the events. */
export interface OutboxWriteOptions {
  /** The statement is its transaction's last, so the commit goes with it (runtime/transaction-round-trips.ts); the caller sends nothing after it. */
  readonly last?: boolean;
  /** Another data-modifying statement of the transaction, sent in the same one (the consumer's inbox entries, runtime/commit-deliveries.ts). */
  readonly along?: Statement | undefined;
  /**
   * A statement whose rows the caller wants (a mailer's claim of the e-mails to send once
   * the transaction committed), sent in the same one: writeAllToOutboxReturning returns them.
   */
  readonly returning?: Statement | undefined;
}

/**
 * Adds the events of several causes in one statement. A LogEmitted is not a row of its
 * own: its records wait in runtime.pending_log_records, and the LogBatcher sends those
 * of many transactions as one (runtime/log-batcher.ts). Returns the messages to publish
 * after the commit.
 */
export async function writeAllToOutbox(em: EntityManager, written: readonly Caused[], options: OutboxWriteOptions = {}): Promise<Outgoing[]> {
  return (await writeAllToOutboxReturning(em, written, options)).outgoing;
}

/** writeAllToOutbox, returning besides the rows of options.returning (none without it). */
export async function writeAllToOutboxReturning(em: EntityManager, written: readonly Caused[], options: OutboxWriteOptions = {}): Promise<{ outgoing: Outgoing[]; rows: unknown[] }> {
  const logs: Caused[] = [];
  const events: Caused[] = [];
  for (const { events: all, cause } of written) {
    const [logged, rest]: OutgoingEvent[][] = [[], []];
    for (const event of all) (event.type === 'LogEmitted' ? logged : rest).push(event);
    if (logged.length) logs.push({ events: logged, cause });
    if (rest.length) events.push({ events: rest, cause });
  }
  const staged = pendingLogRecords(logs);
  if (staged) logRecordStatements++;
  const { insert, outgoing } = outboxRows(events);
  // the statement whose rows are wanted goes last: it is the main one, the others ride along
  const statement = asOneStatement([options.along, staged, insert, options.returning]);
  if (!statement) return { outgoing: [], rows: [] };
  const rows = await em.execute<unknown[]>(options.last ? lastStatement(statement.sql) : statement.sql, statement.values);
  return { outgoing, rows: options.returning ? rows : [] };
}

/**
 * Data-modifying statements as one, in one round trip: each but the last rides along as a
 * WITH, which PostgreSQL runs exactly once whether or not the last reads it.
 */
function asOneStatement(parts: readonly (Statement | undefined)[]): Statement | undefined {
  const present = parts.filter((p) => p !== undefined);
  const main = present.pop();
  if (!main || present.length === 0) return main;
  return {
    sql: `with ${present.map((p, i) => `along_${i} as (${p.sql})`).join(', ')} ${main.sql}`,
    values: [...present.flatMap((p) => p.values), ...main.values],
  };
}

/**
 * Inserts outbox rows for the events as they are, LogEmitted included: for the LogBatcher,
 * whose LogEmitted are the batches. Returns the messages to publish after the commit.
 */
export async function writeBatchesToOutbox(em: EntityManager, written: readonly Caused[], options: { readonly last?: boolean } = {}): Promise<Outgoing[]> {
  const { insert, outgoing } = outboxRows(written);
  if (!insert) return [];
  await em.execute(options.last ? lastStatement(insert.sql) : insert.sql, insert.values);
  return outgoing;
}

/** The insert of each LogEmitted's records into runtime.pending_log_records, a row each, validated as the LogEmitted they came in. */
function pendingLogRecords(written: readonly Caused[]): Statement | undefined {
  const values: unknown[] = [];
  for (const { events, cause } of written) {
    for (const event of events) {
      const invalid = invalidEventError(event, cause);
      if (invalid) throw invalid;
      const { service, records } = event.payload as LogEmitted;
      // a batch goes out as the service whose records it holds, which log-persistence checks against the sender
      if (service !== cause.service) throw new PermanentError(`${cause.service} wrote a LogEmitted naming ${service} as its service${cause.messageId ? ` while handling ${cause.messageId}` : ''}`);
      values.push(service, JSON.stringify(records));
    }
  }
  if (values.length === 0) return undefined;
  return {
    sql: `insert into runtime.pending_log_records (app_id, records) values ${Array.from({ length: values.length / 2 }, () => '(?, ?::jsonb)').join(', ')}`,
    values,
  };
}

/** The insert of the events as outbox rows (none: no statement), and the messages to publish once it committed. */
function outboxRows(written: readonly Caused[]): { insert: Statement | undefined; outgoing: Outgoing[] } {
  const values: unknown[] = [];
  const outgoing: Outgoing[] = [];
  const now = new Date();
  for (const { events, cause } of written) {
    for (const event of events) {
      const invalid = invalidEventError(event, cause);
      if (invalid) throw invalid;
      const route = messages[event.type];
      const messageId = uuidv7();
      const correlationId = orderOf(event) ?? cause.correlationId ?? null;
      const causationId = cause.messageId ?? messageId;
      const traceparent = effectTraceparent(cause.span ?? activeSpan(), cause.traceparent);
      const payload = JSON.stringify(event.payload);
      values.push(messageId, event.type, route.exchange, route.routingKey, correlationId, causationId, traceparent, cause.service, payload);
      outgoing.push({
        exchange: route.exchange,
        routingKey: route.routingKey,
        content: Buffer.from(payload),
        options: publishOptions({ messageId, type: event.type, correlationId, causationId, traceparent, appId: cause.service, timestamp: now }),
      });
    }
  }
  if (outgoing.length === 0) return { insert: undefined, outgoing };
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)';
  const sql = `insert into runtime.outbox (message_id, message_type, exchange, routing_key, correlation_id, causation_id, traceparent, app_id, payload)
     values ${outgoing.map(() => row).join(', ')}`;
  return { insert: { sql, values }, outgoing };
}
