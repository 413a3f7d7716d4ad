// The process entry point: `npm start` runs every service; SERVICE=a,b runs some.
// SIGTERM/SIGINT stop gracefully (exit 0); a second signal exits at once.
import { loadConfig, ConfigError } from './config.ts';
import { startHost } from './host.ts';
import { selectServices } from '../handlers/index.ts';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`Node ${process.versions.node} is too old; run through npm (Node 24 comes with the project).`);
  process.exit(1);
}

let config;
let modules;
try {
  config = loadConfig();
  modules = selectServices(config.services);
} catch (err) {
  if (err instanceof ConfigError || err instanceof Error) {
    console.error(`configuration error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

const host = await startHost(config, modules).catch((err: Error) => {
  console.error(`could not start: ${err.message}`);
  process.exit(1);
});

let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    host.runtime.log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  host.runtime.log.info({ signal }, 'shutting down');
  host.stop().then(() => process.exit(0), (err) => {
    console.error('shutdown failed', err);
    process.exit(1);
  });
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
