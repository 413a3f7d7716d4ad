// generated/topology.ts: exchanges, each receiving service's quorum queue with its
// bindings, and the names of its retry wait queues and dead-letter queue.
import { HEADER, lines, literal } from '#lib/names.mjs';
import { consumersOf } from '#lib/topology.mjs';

const json = (v) => JSON.stringify(v, null, 2);

/**
 * @param {{ model: import('#lib/model.mjs').Model }} props
 */
export function Topology({ model }) {
  return lines([
    HEADER,
    '',
    'export interface ExchangeDeclaration { readonly name: string; readonly type: string; readonly durable: boolean }',
    'export interface QueueBinding { readonly exchange: string; readonly routingKey: string; readonly message: string }',
    'export interface ConsumerTopology {',
    '  readonly service: string;',
    '  /** Quorum queue the service consumes from. */',
    '  readonly queue: string;',
    '  /** Where messages end after the last retry, when invalid, or past the delivery limit. */',
    '  readonly deadLetterQueue: string;',
    '  readonly deliveryLimit: number;',
    '  readonly deadLetterStrategy: string;',
    '  /** Default growing delays of the retry wait queues (RETRY_DELAYS_MS overrides them). */',
    '  readonly retryDelaysMs: readonly number[];',
    '  readonly bindings: readonly QueueBinding[];',
    '}',
    '',
    `export const exchanges: readonly ExchangeDeclaration[] = ${json(model.exchanges)};`,
    '',
    `export const consumers: readonly ConsumerTopology[] = ${json(consumersOf(model))};`,
    '',
    '/** Name of the TTL wait queue that holds a message for delayMs before it returns to queue. */',
    'export function waitQueueName(queue: string, delayMs: number): string {',
    `  return ${literal(model.defaults.waitQueue)}.replace('{queue}', queue).replace('{delayMs}', String(delayMs));`,
    '}',
  ]);
}
