// `npm run broker:setup`: sets the broker up for the contract (runtime/broker-setup.ts) as
// the administrator AMQP_URL names, then exits: compose's broker-setup job, or an
// operator's step where the services run with BROKER_SETUP=off.
import { setupBroker } from '../runtime/broker-setup.ts';
import { loadConfig, withoutSecrets } from '../runtime/config.ts';
import { createLogger, flushLogs } from '../runtime/logger.ts';

const config = loadConfig();
const log = createLogger(config, { app: 'broker-setup' });
try {
  await setupBroker(config, log);
  await flushLogs();
} catch (err) {
  console.error(`broker setup failed: ${withoutSecrets((err as Error).message, config)}`);
  await flushLogs();
  process.exit(1);
}
