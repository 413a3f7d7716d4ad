// Looking at and replaying a service's dead-letter queue, once the cause is fixed.
// Replay sends each message back to that service's own queue only (its other
// consumers already had it), same messageId, attempts counted afresh; it is
// published with a confirm before it leaves the dead-letter queue, so a crash
// mid-replay duplicates at worst, and the service's inbox absorbs duplicates.
import amqp, { type GetMessage } from 'amqplib';
import { FAILURE_HEADERS, Header } from './headers.ts';
import { queuePlanFor } from './topology.ts';

export interface DeadLetter {
  readonly messageId: string;
  readonly type: string | undefined;
  readonly correlationId: string | undefined;
  readonly error: string;
  readonly attempts: number;
  readonly deadLetteredAt: string | undefined;
  readonly originalRoutingKey: string | undefined;
}

function describe(msg: GetMessage): DeadLetter {
  const h = msg.properties.headers ?? {};
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    messageId: String(msg.properties.messageId ?? ''),
    type: text(msg.properties.type),
    correlationId: text(msg.properties.correlationId),
    // Dead-lettered by the broker (delivery limit) rather than by the pipeline: say so.
    error: text(h[Header.error]) ?? (h[Header.death] ? 'delivery limit reached (the consumer crashed or lost its channel repeatedly)' : 'unknown'),
    attempts: Number(h[Header.attempts] ?? h[Header.deliveryCount] ?? 0),
    deadLetteredAt: text(h[Header.deadLetteredAt]),
    originalRoutingKey: text(h[Header.originalRoutingKey]),
  };
}

async function withQueue<T>(amqpUrl: string, service: string, fn: (ch: amqp.ConfirmChannel, dlq: string, queue: string) => Promise<T>): Promise<T> {
  const { queue, deadLetterQueue } = queuePlanFor(service);
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.checkQueue(deadLetterQueue);
    return await fn(ch, deadLetterQueue, queue);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** The dead letters of a service, oldest first, left in place. */
export async function listDeadLetters(amqpUrl: string, service: string, limit = 100): Promise<DeadLetter[]> {
  return withQueue(amqpUrl, service, async (ch, dlq) => {
    const seen: DeadLetter[] = [];
    for (let i = 0; i < limit; i++) {
      const msg = await ch.get(dlq, { noAck: false });
      if (!msg) break;
      seen.push(describe(msg));
    }
    // Closing the channel returns them all, in their order.
    await ch.close();
    return seen;
  });
}

/** Moves up to limit dead letters (optionally only those with the given messageIds) back to the service's queue. */
export async function replayDeadLetters(amqpUrl: string, service: string, options: { limit?: number; messageIds?: readonly string[] } = {}): Promise<DeadLetter[]> {
  const wanted = options.messageIds ? new Set(options.messageIds) : undefined;
  return withQueue(amqpUrl, service, async (ch, dlq, queue) => {
    const replayed: DeadLetter[] = [];
    const skipped: GetMessage[] = [];
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    while (replayed.length < limit) {
      const msg = await ch.get(dlq, { noAck: false });
      if (!msg) break;
      const letter = describe(msg);
      if (wanted && !wanted.has(letter.messageId)) {
        skipped.push(msg);
        continue;
      }
      const headers: Record<string, unknown> = Object.fromEntries(Object.entries(msg.properties.headers ?? {})
        .filter(([k]) => !(FAILURE_HEADERS as readonly string[]).includes(k)));
      headers[Header.attempt] = 1;
      headers[Header.replayedAt] = new Date().toISOString();
      ch.publish('', queue, msg.content, { ...msg.properties, headers, persistent: true, mandatory: true });
      await ch.waitForConfirms();
      ch.ack(msg);
      replayed.push(letter);
    }
    for (const msg of skipped) ch.nack(msg, false, true);
    await ch.waitForConfirms();
    return replayed;
  });
}
