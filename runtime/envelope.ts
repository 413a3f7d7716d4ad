// The message envelope: AMQP properties (messageId, correlationId, type, timestamp,
// appId) and headers (causation-id, traceparent, retry bookkeeping). Set once by
// the outbox, read back by the consumer, propagated from a cause to its effects.
import { randomHex } from './random-hex.ts';
import type { ConsumeMessage, Options } from 'amqplib';
import { PermanentError } from './errors.ts';
import { Header } from './headers.ts';

export interface IncomingEnvelope {
  readonly messageId: string;
  readonly type: string;
  readonly correlationId: string | undefined;
  readonly causationId: string | undefined;
  readonly traceparent: string | undefined;
  readonly attempt: number;
  readonly appId: string | undefined;
}

/** A message without a usable envelope: no retry can cure it. */
export class EnvelopeError extends PermanentError {
  override readonly name = 'EnvelopeError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A new span of the cause's trace, or the root of a new trace. */
export function childTraceparent(parent: string | undefined): string {
  const span = randomHex(8);
  const match = parent ? TRACEPARENT.exec(parent) : null;
  return match ? `00-${match[1]}-${span}-${match[3]}` : `00-${randomHex(16)}-${span}-01`;
}

export function readEnvelope(msg: ConsumeMessage): IncomingEnvelope {
  const { messageId, type, correlationId, appId, headers = {} } = msg.properties;
  if (!messageId) throw new EnvelopeError('the message has no messageId property');
  if (!UUID.test(String(messageId))) throw new EnvelopeError(`messageId ${messageId} is not a UUID`);
  if (!type) throw new EnvelopeError(`message ${messageId} has no type property`);
  const attempt = Number(headers[Header.attempt] ?? 1);
  return {
    messageId: String(messageId),
    type: String(type),
    correlationId: correlationId ? String(correlationId) : undefined,
    causationId: headers[Header.causationId] ? String(headers[Header.causationId]) : undefined,
    traceparent: headers[Header.traceparent] ? String(headers[Header.traceparent]) : undefined,
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
    appId: appId ? String(appId) : undefined,
  };
}

export interface OutgoingEnvelope {
  readonly messageId: string;
  readonly type: string;
  readonly correlationId: string | null;
  readonly causationId: string;
  readonly traceparent: string;
  readonly appId: string;
  readonly timestamp: Date;
}

export function publishOptions(e: OutgoingEnvelope): Options.Publish & { messageId: string } {
  return {
    messageId: e.messageId,
    type: e.type,
    ...(e.correlationId ? { correlationId: e.correlationId } : {}),
    appId: e.appId,
    timestamp: Math.floor(e.timestamp.getTime() / 1000),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 2,
    headers: { [Header.causationId]: e.causationId, [Header.traceparent]: e.traceparent },
  };
}

/**
 * The received message's own properties with new headers, to publish it again (to a wait
 * or dead-letter queue). One without a messageId gets a made-up one, to be told apart.
 */
export function republishOptions(msg: ConsumeMessage, headers: Readonly<Record<string, unknown>>): Options.Publish & { messageId: string } {
  const p = msg.properties;
  return {
    messageId: p.messageId ? String(p.messageId) : `unidentified-${msg.fields.deliveryTag}-${Date.now()}`,
    ...(p.type ? { type: String(p.type) } : {}),
    ...(p.correlationId ? { correlationId: String(p.correlationId) } : {}),
    ...(p.appId ? { appId: String(p.appId) } : {}),
    ...(p.timestamp ? { timestamp: p.timestamp } : {}),
    contentType: p.contentType ?? 'application/json',
    ...(p.contentEncoding ? { contentEncoding: p.contentEncoding } : {}),
    headers: { ...headers },
  };
}
