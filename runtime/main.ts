// The process entry point: `npm start` runs every service; SERVICE=a,b runs some. With
// THREADS=2 (the default on two cores or more) the services after an order's outcome run
// on a second thread (runtime/service-thread.ts), started first; the process is still one.
// A thread that fails ends the process: the other stops gracefully, and the exit code is 1.
// SIGTERM/SIGINT stop gracefully (exit 0); a second signal exits at once. Each exit waits a
// bounded time for the buffered log lines (runtime/logger.ts), so a stdout whose reader has
// gone or stopped reading cannot keep the process from ending.
import { loadConfig, ConfigError, withoutSecrets } from './config.ts';
import { startHost, type Host } from './host.ts';
import { createLogger, flushLogs } from './logger.ts';
import { startServiceThread, type ServiceThread, type StartedPart } from './service-thread.ts';
import { selectServices, threadsOf } from '../handlers/index.ts';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`Node ${process.versions.node} is too old; run through npm (Node 24 comes with the project).`);
  process.exit(1);
}

let config;
let modules;
let groups;
try {
  config = loadConfig();
  groups = threadsOf(config.services, config.threads);
  modules = await selectServices(groups[0]);
} catch (err) {
  if (err instanceof ConfigError || err instanceof Error) {
    console.error(`configuration error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

// Installed before the start: a signal while starting (compose stopping a container that is
// still connecting) stops as soon as the start is over, and still exits 0.
let signals = 0;
/** How long the second signal's exit still waits for buffered log lines: the person asked for an exit now. */
const SECOND_SIGNAL_FLUSH_MS = 250;
let started: Host | undefined;
let signalledWhileStarting: NodeJS.Signals | undefined;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) {
    console.error(`second signal (${signal}): exiting now`);
    void flushLogs(SECOND_SIGNAL_FLUSH_MS).then(() => process.exit(1));
    return;
  }
  if (started) stopAndExit(started, signal);
  else signalledWhileStarting = signal;
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

// before the second thread starts: it makes stdout non-blocking for both (runtime/logger.ts)
const log = createLogger(config, { app: 'order-pipeline', services: groups[0].join(',') });
log.info({ eventLoops: groups.length, why: groups.length < config.threads ? `${config.threadsReason}; these services all run on the main thread` : config.threadsReason },
  groups.length === 2 ? 'running on two threads' : 'running on one thread');
const cannotStart = async (err: Error): Promise<never> => {
  // a driver's error may quote the URL it was given: never print a password
  console.error(`could not start: ${withoutSecrets(err.message, config)}`);
  await flushLogs();
  process.exit(1);
};
const thread: ServiceThread | undefined = groups[1] ? await startServiceThread(groups[1], log).catch(cannotStart) : undefined;
const host = await startHost(thread ? { ...config, brokerSetup: false } : config, modules, { log, peers: thread ? [thread] : [] })
  .catch(async (err: Error) => {
    await thread?.stop();
    return cannotStart(err);
  });
started = host;
if (signalledWhileStarting) stopAndExit(host, signalledWhileStarting);
else printWhereToLook(host, thread, config.amqpUrl);
void thread?.failed.then((err) => {
  log.fatal({ err: withoutSecrets(err.message, config) }, 'a service thread failed: stopping the process');
  signals += 1; // a signal from here on exits at once
  stopAndExit(host, 'thread failed', 1);
});

function stopAndExit(running: Host, why: NodeJS.Signals | 'thread failed', code = 0): void {
  running.runtime.log.info(why === 'thread failed' ? { why } : { signal: why }, 'shutting down');
  running.stop().then(async () => {
    await flushLogs();
    process.exit(code);
  }, async (err) => {
    await flushLogs();
    console.error('shutdown failed', err);
    process.exit(1);
  });
}

/** One plain block for people: where the API, its docs, the mails and the broker UI are. */
function printWhereToLook(started: Host, other: ServiceThread | undefined, amqpUrl: string): void {
  const parts = [...started.services.values() as Iterable<StartedPart>, ...other?.parts ?? []];
  const apiUrl = parts.find((p) => p.url)?.url;
  const mails = parts.find((p) => p.mailCatcherUrl)?.mailCatcherUrl;
  const names = [...started.services.keys(), ...started.consumers.keys(), ...other?.services ?? []].filter((v, i, a) => a.indexOf(v) === i);
  const lines = [`order pipeline running: ${names.join(', ')}${other ? ` (on two threads: ${other.services.join(', ')} on the second)` : ''}`];
  if (apiUrl) lines.push(`  API              ${apiUrl}   (try: curl ${apiUrl}/products)`, `  API docs         ${apiUrl}/docs`, `  events           ${apiUrl}/events   (the flow and every event; the contract: ${apiUrl}/asyncapi.yaml)`);
  if (mails) lines.push(`  e-mails          ${mails}   (embedded mail catcher; set SMTP_URL to use a real server)`);
  // the broker's user, never its password (unless it is the well-known local default)
  const broker = new URL(amqpUrl);
  const login = broker.username === 'guest' && broker.password === 'guest' ? 'guest/guest' : `user ${decodeURIComponent(broker.username) || 'guest'}`;
  lines.push(`  RabbitMQ UI      http://${broker.hostname}:15672   (${login})`);
  console.log(lines.join('\n'));
}
