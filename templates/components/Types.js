// generated/types.ts: one type per message payload and per object schema, the map of
// every message by name, and the event shape handlers return.
import { HEADER, lines } from '#lib/names.mjs';
import { namedTypes } from '#lib/ts-types.mjs';

/**
 * @param {{ model: import('#lib/model.mjs').Model }} props
 */
export function Types({ model }) {
  return lines([
    HEADER,
    '',
    ...namedTypes(model).flatMap((t) => [t.doc ? `/** ${t.doc} */` : false, `export interface ${t.typeName} ${t.body}`, '']),
    '/** Every message of the contract, by name. */',
    'export interface MessagePayloads {',
    ...model.messages.map((m) => `  ${m.name}: ${m.name};`),
    '}',
    '',
    'export type MessageName = keyof MessagePayloads;',
    '',
    '/** An event as a handler returns it: the runtime adds the envelope and writes it to the outbox. */',
    'export type OutgoingEvent<N extends MessageName = MessageName> = N extends MessageName',
    '  ? { readonly type: N; readonly payload: MessagePayloads[N] }',
    '  : never;',
  ]);
}
