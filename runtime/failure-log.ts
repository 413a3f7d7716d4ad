// Turns what the pipeline does into LogEmitted events for log-persistence: an info
// record with each handled message (in its own transaction), an error record per
// failure (in a transaction of its own, since the handler's was rolled back).
import { services } from '../generated/registry.ts';
import type { LogEmitted, MessageName, OutgoingEvent } from '../generated/types.ts';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import type { IncomingEnvelope } from './envelope.ts';
import { describeError } from './errors.ts';
import { writeToOutbox } from './outbox.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function logRecord(service: string, level: LogEmitted['level'], message: string, envelope?: IncomingEnvelope, error?: string): OutgoingEvent<'LogEmitted'> {
  const orderId = envelope?.correlationId;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  return {
    type: 'LogEmitted',
    payload: {
      level, service, message: message.slice(0, 2000), at: new Date().toISOString(),
      ...(orderId && uuid.test(orderId) ? { orderId } : {}),
      ...(envelope?.messageId && uuid.test(envelope.messageId) ? { messageId: envelope.messageId } : {}),
      ...(error ? { error: error.slice(0, 4000) } : {}),
    },
  };
}

export function eventLogger(service: string, config: Pick<Config, 'eventLogLevel'>, db: Database) {
  const canEmit = services[service]?.sends.includes('LogEmitted') ?? false;
  const enabled = (level: LogEmitted['level']) =>
    canEmit && config.eventLogLevel !== 'off' && LEVELS.indexOf(level) >= LEVELS.indexOf(config.eventLogLevel);
  return {
    onHandled(type: MessageName, envelope: IncomingEnvelope): OutgoingEvent[] {
      return enabled('info') ? [logRecord(service, 'info', `handled ${type}`, envelope)] : [];
    },
    async onFailed(envelope: IncomingEnvelope | undefined, error: unknown, outcome: 'retry' | 'dead-letter'): Promise<void> {
      const level = outcome === 'retry' ? 'warn' : 'error';
      if (!enabled(level)) return;
      const { message } = describeError(error);
      const text = `${envelope?.type ?? 'message'} ${outcome === 'retry' ? 'failed; will be retried' : 'dead-lettered'}`;
      await db.em.fork().transactional((em) => writeToOutbox(em, [logRecord(service, level, text, envelope, message)],
        { service, messageId: envelope?.messageId, correlationId: envelope?.correlationId, traceparent: envelope?.traceparent }));
    },
  };
}
