// What a handler may see of the delivery it runs for: who it is, which message,
// its trace, and the one transaction that also holds the inbox entry and the outbox rows.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageName } from '../generated/types.ts';
import type { Logger } from 'pino';
import type { Span } from './tracing.ts';

export interface HandlerContext {
  readonly service: string;
  /** The service that sent the message, as the broker verified it (its user-id). */
  readonly sender: string;
  /** The consumed message's id: stable across redeliveries and retries. */
  readonly messageId: string;
  /** The consumed message's type: a handler (or group step) shared by several types tells them apart by it. */
  readonly type: MessageName;
  /** The order the message is about. */
  readonly correlationId: string;
  /** 1 on first delivery, growing with each retry. */
  readonly attempt: number;
  /** The delivery's transaction: the handler's own queries run here, atomically with the inbox and the outbox. */
  readonly em: EntityManager;
  /** Its lines carry the delivery's messageId, correlationId and type, and its own trace_id and span_id, wherever it is called. */
  readonly log: Logger;
  /**
   * The delivery's own span (the consumer's), when it has one. A handler of one message
   * runs in it; a group step runs in its first delivery's, so what belongs to one message
   * of the group (its effects' traceparent) is made from this one. `log` writes in it by
   * itself.
   */
  readonly span?: Span | undefined;
}
