// payment: charges persisted orders through the card processor at PAYMENT_GATEWAY_URL,
// once per order. With PAYMENT_GATEWAY_URL unset, the service's start starts the
// simulated processor (simulators/payment-provider) on 127.0.0.1 on a free port, the
// way the e-mail services start a mail catcher when SMTP_URL is unset.
import { definePayment, type PaymentHandlers } from '../../generated/services/payment.ts';
import { CallMeter, followCallLoad, type PrefetchTarget } from '../../runtime/adaptive-prefetch.ts';
import type { Config } from '../../runtime/config.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Stoppable } from '../../runtime/service.ts';
import { gatewayClient, type GatewayClient } from './gateway.ts';
import { onOrderPersisted } from './onOrderPersisted.ts';

export { DECLINE_REASON, paymentDraw, paymentOutcome, type PaymentOutcome } from './gateway.ts';

export interface PaymentService extends Stoppable {
  /** Where this process sends its charges (the embedded processor's address when it started one). */
  readonly gatewayUrl: string;
}

/** Per host (keyed by its configuration object): the gateway's address, known at once or once start has run, and its client. */
interface GatewaySlot {
  readonly url: Promise<string>;
  resolve(url: string): void;
  embedded?: Promise<{ url: string; stop(): Promise<void> }>;
  /** The embedded processor's address while it runs (a restart on the same configuration gets a new port). */
  current?: string;
  /** Built with the handlers; closed (its connections destroyed) by the last stop, and built anew by the next handlers. */
  client?: GatewayClient;
  /** Services started on this configuration and not stopped yet. */
  users: number;
  /** The client's calls, which the consumer's prefetch follows. */
  readonly meter: CallMeter;
}

const slots = new WeakMap<Config, GatewaySlot>();

function slotOf(config: Config): GatewaySlot {
  let slot = slots.get(config);
  if (!slot) {
    let resolve!: (url: string) => void;
    const url = new Promise<string>((r) => { resolve = r; });
    slot = { url, resolve, users: 0, meter: new CallMeter() };
    if (config.payment.gatewayUrl) slot.resolve(config.payment.gatewayUrl);
    slots.set(config, slot);
  }
  return slot;
}

export const payment = definePayment({
  data: { owns: ['payment'] },
  // Charges wait on the processor, not on the database: 128 in flight sustain 50 orders/s
  // against a 1 s gateway with room for its slow tail (PREFETCH_PAYMENT overrides it). A
  // slower processor raises it, up to PAYMENT_MAX_IN_FLIGHT, while every delivery waits on
  // its charge (runtime/adaptive-prefetch.ts).
  concurrency: 128,
  handlers: (config: Config): PaymentHandlers => {
    const slot = slotOf(config);
    slot.client ??= gatewayClient({ baseUrl: () => slot.current ?? slot.url, timeoutMs: config.payment.gatewayTimeoutMs, meter: slot.meter });
    return { onOrderPersisted: onOrderPersisted(slot.client) };
  },
  start: async ({ config, log, consumer }): Promise<PaymentService> => {
    const slot = slotOf(config);
    const following = followProcessor(slot, consumer, config.payment.maxInFlight, log);
    const leaveSlot = join(slot);
    const leave = () => { following?.stop(); return leaveSlot(); };
    if (config.payment.gatewayUrl) {
      return { gatewayUrl: config.payment.gatewayUrl, stop: async () => { leave(); } };
    }
    // Loaded only here: a process pointed at a real processor never needs the simulator.
    slot.embedded ??= import('../../simulators/payment-provider/server.ts').then(({ providerOptionsOf, startPaymentProvider }) => startPaymentProvider({
      host: '127.0.0.1',
      port: 0,
      ...providerOptionsOf(config.payment),
    }));
    let provider;
    try {
      provider = await slot.embedded;
    } catch (err) {
      leave();
      slot.embedded = undefined;
      throw new Error(`payment: the embedded payment provider could not start on 127.0.0.1: ${(err as Error).message}. Set PAYMENT_GATEWAY_URL to use another.`, { cause: err });
    }
    slot.current = provider.url;
    slot.resolve(provider.url);
    log.info({ gatewayUrl: provider.url, keyHours: config.payment.providerKeyHours, maxKeys: config.payment.providerMaxKeys },
      'embedded payment provider (simulated card processor) started: it keeps charges\' keys in this process (about 850 bytes each, up to maxKeys); for sustained load run `npm run payment-provider` and set PAYMENT_GATEWAY_URL');
    return {
      gatewayUrl: provider.url,
      async stop() {
        if (!leave()) return;
        slot.embedded = undefined;
        slot.current = undefined;
        await provider.stop();
        log.info({ gatewayUrl: provider.url }, 'embedded payment provider stopped');
      },
    };
  },
});

/** The consumer's prefetch follows the charges' latency, between its own and maxInFlight; undefined when there is no room to move. */
function followProcessor(slot: GatewaySlot, consumer: PrefetchTarget | undefined, maxInFlight: number, log: Logger): { stop(): void } | undefined {
  if (!consumer || maxInFlight <= consumer.prefetch) return undefined;
  return followCallLoad({ meter: slot.meter, target: consumer, floor: consumer.prefetch, ceiling: maxInFlight, log });
}

/**
 * Counts a started service on the slot; the leave() it returns takes it off again, once.
 * The last to leave closes the client (idle connections would not hold the process, but a
 * stopped service keeps none) and is told it was the last (true).
 */
function join(slot: GatewaySlot): () => boolean {
  slot.users += 1;
  let left = false;
  return () => {
    if (left) return false;
    left = true;
    slot.users -= 1;
    if (slot.users > 0) return false;
    slot.client?.close();
    slot.client = undefined;
    return true;
  };
}
