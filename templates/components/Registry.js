// generated/registry.ts: what the runtime reads on start: each message's exchange,
// routing key and validator; each service's operations; the contract's examples.
import { HEADER, lines, literal } from '#lib/names.mjs';

/**
 * @param {{ model: import('#lib/model.mjs').Model }} props
 */
export function Registry({ model }) {
  const list = (names) => `[${names.map(literal).join(', ')}]`;
  return lines([
    HEADER,
    '',
    "import type { ErrorObject } from 'ajv';",
    "import type { MessageName } from './types.ts';",
    ...model.messages.map((m) => `import validate${m.name} from './validators/${m.name}.js';`),
    '',
    'export interface MessageRoute {',
    '  readonly name: MessageName;',
    '  readonly exchange: string;',
    '  readonly routingKey: string;',
    '  /** At most 10 errors; `truncated` when more may exist (the generated validators bound their work). */',
    '  readonly validate: { (data: unknown): boolean; errors?: ErrorObject[] | null; truncated?: boolean };',
    '}',
    '',
    '/** Every message: where it is published and how it is validated. */',
    'export const messages: { readonly [N in MessageName]: MessageRoute } = {',
    ...model.messages.map((m) => `  ${m.name}: { name: ${literal(m.name)}, exchange: ${literal(m.exchange.name)}, routingKey: ${literal(m.routingKey)}, validate: validate${m.name} },`),
    '};',
    '',
    'export interface ServiceOperations {',
    '  readonly name: string;',
    '  readonly queue: string | null;',
    '  readonly receives: readonly { readonly operationId: string; readonly message: MessageName; readonly handler: string }[];',
    '  /** Everything the service may send, its share of the cross-cutting sends included. */',
    '  readonly sends: readonly MessageName[];',
    '  /** The sends it has from operations marked x-every-service (declared once for all services). */',
    '  readonly everyServiceSends: readonly MessageName[];',
    '}',
    '',
    '/** Every service: the messages it receives (and the handler method for each) and sends. */',
    'export const services: { readonly [name: string]: ServiceOperations } = {',
    ...model.services.flatMap((s) => [
      `  ${literal(s.name)}: {`,
      `    name: ${literal(s.name)},`,
      `    queue: ${literal(s.queue)},`,
      `    receives: [${s.receives.map((r) => `{ operationId: ${literal(r.operationId)}, message: ${literal(r.message)}, handler: ${literal(r.handler)} }`).join(', ')}],`,
      `    sends: ${list(s.sends)},`,
      `    everyServiceSends: ${list(s.everyServiceSends)},`,
      '  },',
    ]),
    '};',
    '',
    `export const serviceNames = ${JSON.stringify(model.services.map((s) => s.name))} as const;`,
    '',
    "/** The contract's own examples, for tests and fixtures. */",
    'export const examples: { readonly [N in MessageName]: readonly { readonly name: string; readonly payload: unknown; readonly headers: unknown }[] } = ',
    `${JSON.stringify(Object.fromEntries(model.messages.map((m) => [m.name, m.examples])), null, 2)};`,
  ]);
}
