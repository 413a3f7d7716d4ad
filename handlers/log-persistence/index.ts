// log-persistence: the one place log records of every service end up (logs.log_records).
import { defineLogPersistence } from '../../generated/services/log-persistence.ts';
import { onLogEmitted } from './onLogEmitted.ts';

// Nothing waits for a log record to be stored: deliveries gather for 100 ms, so under moderate load a
// transaction stores tens of LogEmitted instead of a few (a full group goes at once).
export const logPersistence = defineLogPersistence({ handlers: { onLogEmitted }, data: { owns: ['logs'] }, commit: { gatherMs: 100 } });
