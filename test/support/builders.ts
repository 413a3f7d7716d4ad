// Payload builders taken from the contract's own examples, with fresh ids.
import { randomUUID } from 'node:crypto';
import { examples, messages } from '../../generated/registry.ts';
import type { MessageName, MessagePayloads } from '../../generated/types.ts';
import type { RawMessage } from './amqp.ts';

export function example<N extends MessageName>(name: N, overrides: Partial<MessagePayloads[N]> = {}): MessagePayloads[N] {
  const base = structuredClone(examples[name][0].payload) as MessagePayloads[N];
  const withOrder = 'orderId' in (base as object) ? { ...base, orderId: randomUUID() } : base;
  return { ...withOrder, ...overrides } as MessagePayloads[N];
}

/** A message as its producer would publish it on the contract's exchange. */
export function rawEvent<N extends MessageName>(name: N, payload: MessagePayloads[N], messageId: string = randomUUID()): RawMessage {
  const route = messages[name];
  const orderId = (payload as { orderId?: string }).orderId;
  return {
    exchange: route.exchange,
    routingKey: route.routingKey,
    body: payload,
    options: { type: name, messageId, ...(orderId ? { correlationId: orderId } : {}) },
  };
}
