// The typed constructor of one event a service may send: handlers return what it builds.
import { camel, lines, literal } from '#lib/names.mjs';

/**
 * @param {{ message: string }} props the event's name in the contract
 */
export function EventConstructor({ message }) {
  return lines([
    `/** Builds a ${message} to return from a handler (or to write to the outbox). */`,
    `export function ${camel(message)}(payload: ${message}): OutgoingEvent<${literal(message)}> {`,
    `  return { type: ${literal(message)}, payload };`,
    '}',
  ]);
}
