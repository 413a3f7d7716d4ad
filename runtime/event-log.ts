// Turns what services do into LogEmitted events for log-persistence, from
// EVENT_LOG_LEVEL up: an info record for each handled message (written in its
// transaction), an error record per failure (in a transaction of its own, since the
// handler's was rolled back), and whatever a service records itself. The records wait
// in the outbox's pending_log_records and go out as LogEmitted batches of many
// transactions (runtime/log-batcher.ts).
import { services } from '../generated/registry.ts';
import type { LogEmitted, LogRecord, MessageName, OutgoingEvent } from '../generated/types.ts';
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

export function logRecord(level: LogRecord['level'], message: string, about: About = {}, error?: string): LogRecord {
  return {
    level, message: message.slice(0, 2000), at: new Date().toISOString(),
    ...(about.orderId && UUID.test(about.orderId) ? { orderId: about.orderId } : {}),
    ...(about.messageId && UUID.test(about.messageId) ? { messageId: about.messageId } : {}),
    ...(error ? { error: error.slice(0, 4000) } : {}),
  };
}

/** One LogEmitted carrying the records (none: no event). */
export function logEmitted(service: string, records: readonly LogRecord[]): OutgoingEvent<'LogEmitted'>[] {
  return records.length ? [{ type: 'LogEmitted', payload: { service, records: [...records] } satisfies LogEmitted }] : [];
}

/** The contract gives LogEmitted to every service but the ones its x-every-service operation excepts. */
export const emitsLogs = (service: string): boolean => services[service]?.sends.includes('LogEmitted') ?? false;

export type EventLog = ReturnType<typeof eventLogger>;

export function eventLogger(service: string, config: Pick<Config, 'eventLogLevel'>, db: Database) {
  const canEmit = emitsLogs(service);
  const enabled = (level: LogRecord['level']) =>
    canEmit && config.eventLogLevel !== 'off' && LEVELS.indexOf(level) >= LEVELS.indexOf(config.eventLogLevel);
  const about = (envelope: IncomingEnvelope | undefined): About => ({ orderId: envelope?.correlationId, messageId: envelope?.messageId });
  return {
    /** A LogEmitted to write along with the caller's own events, when its level is enabled. */
    record(level: LogRecord['level'], message: string, orderId?: string): OutgoingEvent[] {
      return enabled(level) ? logEmitted(service, [logRecord(level, message, { orderId })]) : [];
    },
    /** One LogEmitted for the messages a transaction handled, a record each, when info is enabled. */
    onHandled(handled: readonly { readonly type: MessageName; readonly envelope: IncomingEnvelope }[]): OutgoingEvent[] {
      return enabled('info') ? logEmitted(service, handled.map(({ type, envelope }) => logRecord('info', `handled ${type}`, about(envelope)))) : [];
    },
    async onFailed(envelope: IncomingEnvelope | undefined, error: unknown, outcome: 'retry' | 'dead-letter'): Promise<void> {
      const level = outcome === 'retry' ? 'warn' : 'error';
      if (!enabled(level)) return;
      const { message } = describeError(error);
      const text = `${envelope?.type ?? 'message'} ${outcome === 'retry' ? 'failed; will be retried' : 'dead-lettered'}`;
      await db.em.fork().transactional((em) => writeToOutbox(em, logEmitted(service, [logRecord(level, text, about(envelope), message)]),
        { service, messageId: envelope?.messageId, correlationId: envelope?.correlationId, traceparent: envelope?.traceparent }));
    },
  };
}
