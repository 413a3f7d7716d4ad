// Test-side broker access: publish raw messages straight to an exchange, and read
// queues (depth, messages with their headers) without consuming production paths.
import amqp, { type ChannelModel, type GetMessage, type Options } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { consumers as serviceQueues } from '../../generated/topology.ts';
import { Header } from '../../runtime/headers.ts';
import { producersOf } from '../../runtime/broker-access.ts';
import { serviceAmqpUrl } from '../../runtime/broker-identity.ts';
import { eventually } from './env.ts';

/** The test environment's broker as a service's own user (the users exist once a host has set the broker up). */
export const asService = (amqpUrl: string, service: string): string => serviceAmqpUrl({ amqpUrl, amqpPasswords: {} }, service);

export async function withChannel<T>(amqpUrl: string, fn: (ch: Awaited<ReturnType<ChannelModel['createConfirmChannel']>>) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    try {
      return await fn(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export interface RawMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: unknown;
  readonly options?: Options.Publish;
}

/**
 * Publishes like a producer would (JSON body, envelope properties), each message as the
 * contract's producer of its type (its own broker user, so the user-id checks out); a
 * type nobody produces goes out as the administrator, without a user-id. `as` names
 * the sender instead: a service, or 'admin'. Returns the messageIds.
 */
export async function publishRaw(amqpUrl: string, messages: readonly RawMessage[], as?: string): Promise<string[]> {
  const senderOf = (m: RawMessage) => as ?? producersOf(String(m.options?.type ?? ''))[0] ?? 'admin';
  const ids: string[] = [];
  // one sender at a time, in the given order: a run is confirmed before the next sender's starts
  for (let start = 0; start < messages.length;) {
    const sender = senderOf(messages[start]!);
    let end = start + 1;
    while (end < messages.length && senderOf(messages[end]!) === sender) end++;
    const url = sender === 'admin' ? amqpUrl : asService(amqpUrl, sender);
    await withChannel(url, async (ch) => {
      for (const m of messages.slice(start, end)) {
        const messageId = m.options?.messageId ?? randomUUID();
        ids.push(messageId);
        const content = Buffer.isBuffer(m.body) ? m.body : Buffer.from(typeof m.body === 'string' ? m.body : JSON.stringify(m.body));
        ch.publish(m.exchange, m.routingKey, content, {
          persistent: true, contentType: 'application/json', messageId,
          headers: { [Header.causationId]: messageId, [Header.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
          ...(sender === 'admin' ? {} : { userId: sender }),
          ...m.options,
        });
      }
      await ch.waitForConfirms();
    });
    start = end;
  }
  return ids;
}

export async function queueDepth(amqpUrl: string, queue: string): Promise<number> {
  return withChannel(amqpUrl, async (ch) => (await ch.checkQueue(queue)).messageCount);
}

/** Messages ready in every service's queue (generated/topology.ts), summed. */
export async function waitingInServiceQueues(amqpUrl: string): Promise<number> {
  let sum = 0;
  for (const { queue } of serviceQueues) sum += await queueDepth(amqpUrl, queue);
  return sum;
}

/** The service queues (generated/topology.ts) that no consumer reads yet: empty once every service of a system has started. */
export async function serviceQueuesUnread(amqpUrl: string): Promise<string[]> {
  return withChannel(amqpUrl, async (ch) => {
    const unread: string[] = [];
    for (const { queue } of serviceQueues) if ((await ch.checkQueue(queue)).consumerCount === 0) unread.push(queue);
    return unread;
  });
}

/** Takes every message currently in the queue (acking them), for inspection. */
export async function drainQueue(amqpUrl: string, queue: string): Promise<GetMessage[]> {
  return withChannel(amqpUrl, async (ch) => {
    const out: GetMessage[] = [];
    for (;;) {
      const msg = await ch.get(queue, { noAck: false });
      if (!msg) return out;
      out.push(msg);
      ch.ack(msg);
    }
  });
}

export interface Tapped {
  readonly type: string;
  readonly messageId: string;
  readonly correlationId: string | undefined;
  readonly headers: Record<string, unknown>;
  readonly body: any;
}

export interface Tap {
  readonly messages: Tapped[];
  ofType(type: string): Tapped[];
  /**
   * Resolves once the tap has received every message the broker had routed to it when
   * called: a marker put on its queue then comes back after them (it is not recorded).
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** The type of the tap's own markers (settled()). */
const MARKER = 'test.tap-marker';

/**
 * Binds a private queue to the given routing keys (on exchanges the host declared)
 * and records every message that passes, to check what a service emitted.
 */
export async function tap(amqpUrl: string, bindings: readonly { exchange: string; routingKey: string }[]): Promise<Tap> {
  const conn = await amqp.connect(amqpUrl);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  for (const b of bindings) await ch.bindQueue(queue, b.exchange, b.routingKey);
  const messages: Tapped[] = [];
  const markers = new Set<string>();
  await ch.consume(queue, (msg) => {
    if (!msg) return;
    if (msg.properties.type === MARKER) {
      markers.add(String(msg.properties.messageId));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(msg.content.toString('utf8'));
    } catch {
      body = msg.content.toString('utf8');
    }
    messages.push({
      type: String(msg.properties.type),
      messageId: String(msg.properties.messageId),
      correlationId: msg.properties.correlationId ? String(msg.properties.correlationId) : undefined,
      headers: msg.properties.headers ?? {},
      body,
    });
  }, { noAck: true });
  return {
    messages,
    ofType: (type) => messages.filter((m) => m.type === type),
    settled: async () => {
      const marker = randomUUID();
      // one queue, one consumer: delivered in the order the broker took them
      ch.sendToQueue(queue, Buffer.alloc(0), { type: MARKER, messageId: marker });
      await eventually(async () => markers.has(marker), 'the tap\'s marker to come back (every message routed to the tap before it)', 10_000, 10);
    },
    close: async () => {
      await ch.close().catch(() => undefined);
      await conn.close().catch(() => undefined);
    },
  };
}
