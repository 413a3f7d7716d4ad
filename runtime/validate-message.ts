// The checks a delivery passes before any handler sees it: the size limit, JSON, and
// the contract's schema for its type (the generated ajv validators). A message that
// fails one can never succeed: each failure is a PermanentError naming the reason,
// and the message is dead-lettered at once with it.
import { messages } from '../generated/registry.ts';
import type { MessageName } from '../generated/types.ts';
import type { IncomingEnvelope } from './envelope.ts';
import { PermanentError } from './errors.ts';

/** The message of the given type in `content`, once it passed every check; larger than `maxBytes` is refused unparsed. */
export function validMessage(envelope: IncomingEnvelope, type: MessageName, content: Buffer, maxBytes: number | undefined): unknown {
  if (maxBytes !== undefined && content.length > maxBytes) {
    throw new PermanentError(`${type} ${envelope.messageId} is ${content.length} bytes; messages are limited to ${maxBytes} bytes (MAX_MESSAGE_BYTES)`);
  }
  let message: unknown;
  try {
    message = JSON.parse(content.toString('utf8'));
  } catch (err) {
    throw new PermanentError(`${type} ${envelope.messageId} is not JSON: ${(err as Error).message}`);
  }
  const { validate } = messages[type];
  if (!validate(message)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new PermanentError(`${type} ${envelope.messageId} fails its schema: ${errors}`);
  }
  return message;
}
