// Looking at and replaying a service's dead-letter queue, once the cause is fixed.
// Looking (a list, a dry run) takes messages without acknowledging them and then hands
// every one back (nack, requeue), one by one in the order taken: nothing is lost. The
// broker puts a returned message at the back of the queue, so every pass takes the whole
// queue (as deep as it was when the pass began) and returns what stays: a full turn,
// which leaves the order as it was. (A message dead-lettered during the pass lands
// ahead of the returned ones.)
// Both connect as the service itself (runtime/broker-identity.ts): its user may read its
// dead-letter queue and publish into its parking exchange, nothing more.
// Replay sends each message back to that service's own queue only (its other
// consumers already had it), same messageId, attempts counted afresh, under the
// service's user-id and naming the sender it first came from (a forged message stays
// forged and is dead-lettered again); it is
// published with a confirm before it leaves the dead-letter queue, so a crash
// mid-replay duplicates at worst, and the service's inbox absorbs duplicates. A replay
// reads at most what the queue held when it began, so a message that fails again
// during the replay is not replayed twice in one run.
import amqp, { type GetMessage } from 'amqplib';
import { senderOf } from './broker-access.ts';
import { FAILURE_HEADERS, Header } from './headers.ts';
import { queuePlanFor, type QueuePlan } from './topology.ts';

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

/**
 * Hands messages taken without an ack back, one by one in the order they were taken: each
 * goes to the back of the queue. (Closing the channel would return them too, but in no
 * particular order.)
 */
async function returnInOrder(ch: amqp.ConfirmChannel, dlq: string, taken: readonly GetMessage[]): Promise<void> {
  // A quorum queue applies returns asynchronously, and a channel with more than a few
  // dozen returns pending passes the excess on out of order (seen on RabbitMQ 3.10): so
  // they go back in small batches, each once the one before counts as ready again.
  let ready = (await ch.checkQueue(dlq)).messageCount;
  for (let i = 0; i < taken.length; i += RETURN_BATCH) {
    const batch = taken.slice(i, i + RETURN_BATCH);
    for (const msg of batch) ch.nack(msg, false, true);
    const want = ready + batch.length;
    const deadline = Date.now() + RETURN_TIMEOUT_MS;
    for (;;) {
      ready = (await ch.checkQueue(dlq)).messageCount;
      if (ready >= want) break;
      if (Date.now() > deadline) throw new Error(`messages handed back to ${dlq} are not ready again after ${RETURN_TIMEOUT_MS} ms (none is lost: the broker holds them)`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

const RETURN_BATCH = 16;
const RETURN_TIMEOUT_MS = 10_000;

/** `amqpUrl` is the service's own (serviceAmqpUrl). */
async function withQueue<T>(amqpUrl: string, service: string, fn: (ch: amqp.ConfirmChannel, dlq: string, plan: QueuePlan, depth: number) => Promise<T>): Promise<T> {
  const plan = queuePlanFor(service);
  const { deadLetterQueue } = plan;
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    const { messageCount } = await ch.checkQueue(deadLetterQueue);
    return await fn(ch, deadLetterQueue, plan, messageCount);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export interface DeadLetterListing {
  readonly service: string;
  readonly queue: string;
  /** Messages in the dead-letter queue (its depth), however many were read. */
  readonly total: number;
  /** The first `limit` of them, oldest first. */
  readonly letters: DeadLetter[];
  /** Why every message in the queue failed, with how many each. */
  readonly byReason: { reason: string; count: number }[];
}

/**
 * The dead letters of a service, oldest first, all left in place in their order: the first
 * `limit` of them, the queue's depth, and why they all failed (every one is read: a full
 * turn of the queue keeps its order, a partial one would rotate it).
 */
export async function inspectDeadLetters(amqpUrl: string, service: string, limit = 100): Promise<DeadLetterListing> {
  return withQueue(amqpUrl, service, async (ch, dlq, _plan, depth) => {
    const all: DeadLetter[] = [];
    const taken: GetMessage[] = [];
    for (;;) {
      const msg = await ch.get(dlq, { noAck: false });
      if (!msg) break;
      taken.push(msg);
      all.push(describe(msg));
    }
    await returnInOrder(ch, dlq, taken);
    return { service, queue: dlq, total: Math.max(depth, all.length), letters: all.slice(0, limit), byReason: groupByReason(all) };
  });
}

/** The dead letters of a service, oldest first, left in place. */
export async function listDeadLetters(amqpUrl: string, service: string, limit = 100): Promise<DeadLetter[]> {
  return (await inspectDeadLetters(amqpUrl, service, limit)).letters;
}

/** Why messages failed, with how many each: ids (UUIDs) in the error are masked so that one cause is one line. */
export function groupByReason(letters: readonly DeadLetter[]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const l of letters) {
    const reason = reasonOf(l.error);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function reasonOf(error: string): string {
  const line = error.split('\n')[0].replace(UUID, '<id>').trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

export interface ReplayOptions {
  /** At most this many are replayed (default: all). */
  readonly limit?: number;
  /** Only these messages (others stay, in their order). */
  readonly messageIds?: readonly string[];
  /** Say what would be replayed, and replay nothing: every message stays in place, in its order. */
  readonly dryRun?: boolean;
  /** Called after each message replayed (or selected, in a dry run): how many so far, of how many at most. */
  readonly onProgress?: (done: number, planned: number) => void;
}

/**
 * Moves up to limit dead letters, oldest first (optionally only those with the given
 * messageIds), back to the service's queue; the others stay in their order.
 */
export async function replayDeadLetters(amqpUrl: string, service: string, options: ReplayOptions = {}): Promise<DeadLetter[]> {
  const wanted = options.messageIds ? new Set(options.messageIds) : undefined;
  return withQueue(amqpUrl, service, async (ch, dlq, plan, depth) => {
    const replayed: DeadLetter[] = [];
    const skipped: GetMessage[] = [];
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const planned = Math.min(limit, wanted ? wanted.size : depth, depth);
    // the whole queue is taken, also past the limit: what stays then makes a full turn, in its order
    for (let read = 0; read < depth; read++) {
      const msg = await ch.get(dlq, { noAck: false });
      if (!msg) break;
      const letter = describe(msg);
      const chosen = (!wanted || wanted.has(letter.messageId)) && replayed.length < limit;
      if (chosen && !options.dryRun) {
        const headers: Record<string, unknown> = Object.fromEntries(Object.entries(msg.properties.headers ?? {})
          .filter(([k]) => !(FAILURE_HEADERS as readonly string[]).includes(k)));
        headers[Header.attempt] = 1;
        headers[Header.replayedAt] = new Date().toISOString();
        const sender = senderOf(msg.properties.userId, msg.properties.headers, service);
        if (sender !== undefined) headers[Header.sender] = sender;
        const { userId: _firstSender, ...properties } = msg.properties;
        ch.publish(plan.parkingExchange, plan.queue, msg.content, { ...properties, headers, userId: service, persistent: true, mandatory: true });
        await ch.waitForConfirms();
        ch.ack(msg);
      } else {
        // not chosen, or a dry run: the message stays, in its turn
        skipped.push(msg);
      }
      if (chosen) {
        replayed.push(letter);
        options.onProgress?.(replayed.length, planned);
      }
    }
    await returnInOrder(ch, dlq, skipped);
    await ch.waitForConfirms();
    return replayed;
  });
}
