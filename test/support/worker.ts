// A child process running test handlers on the real runtime, for fault tests that
// need to kill a process (SIGKILL) at a precise point or stop it with a signal.
// Env: AMQP_URL, DATABASE_URL; WORKER_CRASH = before-ack | after-publish (SIGKILL itself there, once).
// Handlers record each effect in public.test_effects (created by the test).
import { loadConfig } from '../../runtime/config.ts';
import { startHost } from '../../runtime/host.ts';
import { testServices } from './test-services.ts';

const crash = process.env.WORKER_CRASH;
const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', SERVICE: 'payment,invoice' });
const kill = () => process.kill(process.pid, 'SIGKILL');

const host = await startHost(config, testServices({ delayMs: Number(process.env.WORKER_HANDLER_DELAY_MS ?? 0) }), {
  consumerHooks: crash === 'before-ack' ? { beforeAck: (_e, outcome) => { if (outcome === 'handled') kill(); } } : undefined,
  relayHooks: crash === 'after-publish' ? { afterPublish: (ids) => { if (ids.length) kill(); } } : undefined,
});
process.send?.('ready');
let signals = 0;
const onSignal = () => {
  if (++signals > 1) process.exit(1);
  host.stop().then(({ drained }) => process.exit(drained ? 0 : 3), () => process.exit(2));
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
