// Turns what services do into LogEmitted events for log-persistence, from
// EVENT_LOG_LEVEL up: an info record with each handled message (in its own
// transaction), an error record per failure (in a transaction of its own, since
// the handler's was rolled back), and whatever a service records itself.
import { services } from '../generated/registry.ts';
import type { LogEmitted, MessageName, OutgoingEvent } from '../generated/types.ts';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import type { IncomingEnvelope } from './envelope.ts';
import { describeError } from './errors.ts';
import { writeToOutbox } from './outbox.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface About {
  readonly orderId?: string | undefined;
  readonly messageId?: string | undefined;
}

function logRecord(service: string, level: LogEmitted['level'], message: string, about: About = {}, error?: string): OutgoingEvent<'LogEmitted'> {
  return {
    type: 'LogEmitted',
    payload: {
      level, service, message: message.slice(0, 2000), at: new Date().toISOString(),
      ...(about.orderId && UUID.test(about.orderId) ? { orderId: about.orderId } : {}),
      ...(about.messageId && UUID.test(about.messageId) ? { messageId: about.messageId } : {}),
      ...(error ? { error: error.slice(0, 4000) } : {}),
    },
  };
}

export type EventLog = ReturnType<typeof eventLogger>;

export function eventLogger(service: string, config: Pick<Config, 'eventLogLevel'>, db: Database) {
  // The contract gives LogEmitted to every service but the ones its x-every-service operation excepts.
  const canEmit = services[service]?.sends.includes('LogEmitted') ?? false;
  const enabled = (level: LogEmitted['level']) =>
    canEmit && config.eventLogLevel !== 'off' && LEVELS.indexOf(level) >= LEVELS.indexOf(config.eventLogLevel);
  const about = (envelope: IncomingEnvelope | undefined): About => ({ orderId: envelope?.correlationId, messageId: envelope?.messageId });
  return {
    /** A LogEmitted to write along with the caller's own events, when its level is enabled. */
    record(level: LogEmitted['level'], message: string, orderId?: string): OutgoingEvent[] {
      return enabled(level) ? [logRecord(service, level, message, { orderId })] : [];
    },
    onHandled(type: MessageName, envelope: IncomingEnvelope): OutgoingEvent[] {
      return enabled('info') ? [logRecord(service, 'info', `handled ${type}`, about(envelope))] : [];
    },
    async onFailed(envelope: IncomingEnvelope | undefined, error: unknown, outcome: 'retry' | 'dead-letter'): Promise<void> {
      const level = outcome === 'retry' ? 'warn' : 'error';
      if (!enabled(level)) return;
      const { message } = describeError(error);
      const text = `${envelope?.type ?? 'message'} ${outcome === 'retry' ? 'failed; will be retried' : 'dead-lettered'}`;
      await db.em.fork().transactional((em) => writeToOutbox(em, [logRecord(service, level, text, about(envelope), message)],
        { service, messageId: envelope?.messageId, correlationId: envelope?.correlationId, traceparent: envelope?.traceparent }));
    },
  };
}
