// log-persistence: the one place log records of every service end up (logs.log_records).
import type { LogPersistenceHandlers } from '../../generated/services/log-persistence.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import { onLogEmitted } from './onLogEmitted.ts';

const handlers: LogPersistenceHandlers = { onLogEmitted };

// Log records come in bursts and each insert is tiny: commit them in batches.
export const logPersistence: ServiceModule = { name: 'log-persistence', handlers, batch: { size: 32, waitMs: 10 } };
