// log-persistence: the one place log records of every service end up (logs.log_records).
import { defineLogPersistence } from '../../generated/services/log-persistence.ts';
import { LogRecord } from './log-record.ts';
import { onLogEmitted } from './onLogEmitted.ts';

export const logPersistence = defineLogPersistence({ handlers: { onLogEmitted }, entities: [LogRecord], data: { owns: ['logs'] } });
