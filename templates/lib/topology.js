// The RabbitMQ topology and the registry the runtime reads on start: exchanges,
// each receiving service's quorum queue with its bindings, its retry wait queues
// and its dead-letter queue, and which message goes where with which validator.

function fill(pattern, vars) {
  return pattern.replace(/\{(\w+)\}/g, (_, k) => {
    if (vars[k] === undefined) throw new Error(`x-queue-defaults: unknown placeholder {${k}} in ${pattern}`);
    return String(vars[k]);
  });
}

export function renderTopology(model) {
  const d = model.defaults;
  if (d.type !== 'quorum') throw new Error('x-queue-defaults.type: only quorum queues are supported');
  const messageByName = new Map(model.messages.map((m) => [m.name, m]));
  const consumers = model.services.filter((s) => s.receives.length).map((s) => ({
    service: s.name,
    queue: s.queue,
    deadLetterQueue: fill(d.deadLetterQueue, { queue: s.queue }),
    deliveryLimit: d.deliveryLimit,
    deadLetterStrategy: d.deadLetterStrategy,
    retryDelaysMs: d.retryDelaysMs,
    bindings: s.receives.map((r) => {
      const m = messageByName.get(r.message);
      return { exchange: m.exchange.name, routingKey: m.routingKey, message: m.name };
    }),
  }));
  const json = (v) => JSON.stringify(v, null, 2);
  return [
    model.header,
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
    `export const consumers: readonly ConsumerTopology[] = ${json(consumers)};`,
    '',
    '/** Name of the TTL wait queue that holds a message for delayMs before it returns to queue. */',
    'export function waitQueueName(queue: string, delayMs: number): string {',
    `  return ${JSON.stringify(d.waitQueue)}.replace('{queue}', queue).replace('{delayMs}', String(delayMs));`,
    '}',
    '',
  ].join('\n');
}

export function renderRegistry(model) {
  const out = [model.header, ''];
  out.push("import type { ErrorObject } from 'ajv';");
  out.push("import type { MessageName } from './types.ts';");
  for (const m of model.messages) out.push(`import validate${m.name} from './validators/${m.name}.js';`);
  out.push('');
  out.push('export interface MessageRoute {');
  out.push('  readonly name: MessageName;');
  out.push('  readonly exchange: string;');
  out.push('  readonly routingKey: string;');
  out.push('  /** At most 10 errors; `truncated` when more may exist (the generated validators bound their work). */');
  out.push('  readonly validate: { (data: unknown): boolean; errors?: ErrorObject[] | null; truncated?: boolean };');
  out.push('}', '');
  out.push('/** Every message: where it is published and how it is validated. */');
  out.push('export const messages: { readonly [N in MessageName]: MessageRoute } = {');
  for (const m of model.messages) {
    out.push(`  ${m.name}: { name: ${JSON.stringify(m.name)}, exchange: ${JSON.stringify(m.exchange.name)}, routingKey: ${JSON.stringify(m.routingKey)}, validate: validate${m.name} },`);
  }
  out.push('};', '');
  out.push('export interface ServiceOperations {');
  out.push('  readonly name: string;');
  out.push('  readonly queue: string | null;');
  out.push('  readonly receives: readonly { readonly operationId: string; readonly message: MessageName; readonly handler: string }[];');
  out.push('  readonly sends: readonly MessageName[];');
  out.push('}', '');
  out.push('/** Every service: the messages it receives (and the handler method for each) and sends. */');
  out.push('export const services: { readonly [name: string]: ServiceOperations } = {');
  for (const s of model.services) {
    out.push(`  ${JSON.stringify(s.name)}: {`);
    out.push(`    name: ${JSON.stringify(s.name)},`);
    out.push(`    queue: ${JSON.stringify(s.queue)},`);
    out.push(`    receives: [${s.receives.map((r) => `{ operationId: ${JSON.stringify(r.operationId)}, message: ${JSON.stringify(r.message)}, handler: ${JSON.stringify(r.handler)} }`).join(', ')}],`);
    out.push(`    sends: [${s.sends.map((n) => JSON.stringify(n)).join(', ')}],`);
    out.push('  },');
  }
  out.push('};', '');
  out.push(`export const serviceNames = ${JSON.stringify(model.services.map((s) => s.name))} as const;`, '');
  out.push('/** The contract\'s own examples, for tests and fixtures. */');
  out.push('export const examples: { readonly [N in MessageName]: readonly { readonly name: string; readonly payload: unknown; readonly headers: unknown }[] } = ');
  out.push(`${JSON.stringify(Object.fromEntries(model.messages.map((m) => [m.name, m.examples])), null, 2)};`, '');
  return out.join('\n');
}

