// log-persistence: the one place log records of every service end up (logs.log_records).
import type { LogPersistenceHandlers } from '../../generated/services/log-persistence.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import { LogRecord } from './log-record.ts';
import { onLogEmitted } from './onLogEmitted.ts';

const handlers: LogPersistenceHandlers = { onLogEmitted };

export const logPersistence: ServiceModule = { name: 'log-persistence', handlers, entities: [LogRecord] };
