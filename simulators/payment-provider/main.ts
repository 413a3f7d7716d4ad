// `npm run payment-provider`: the simulated card processor as its own process, on
// PAYMENT_PROVIDER_PORT (8090), with the PAYMENT_* settings of runtime/config.ts.
// SIGTERM/SIGINT close it.
import { ConfigError, loadConfig } from '../../runtime/config.ts';
import { providerOptionsOf, startPaymentProvider } from './server.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`configuration error: ${err.message}`);
  process.exit(1);
}
const { payment } = config;
// Every interface: in compose the payment containers reach it by its service name.
const host = '0.0.0.0';
const provider = await startPaymentProvider({
  host,
  port: payment.providerPort,
  ...providerOptionsOf(payment),
}).catch((err: Error) => {
  console.error(`payment provider could not listen on ${host}:${payment.providerPort}: ${err.message}`);
  process.exit(1);
});
console.log(JSON.stringify({ msg: 'payment provider (simulated card processor) listening', url: provider.url, settings: provider.settings() }));

const stop = (signal: string) => {
  console.log(JSON.stringify({ msg: 'payment provider stopping', signal }));
  provider.stop().then(() => process.exit(0), (err: Error) => {
    console.error(`payment provider stop failed: ${err.message}`);
    process.exit(1);
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
