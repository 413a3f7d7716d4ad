// Throughput of one consumer stage: OrderPersisted → payment (validate → transaction
// {inbox, handler, outbox} → commit → ack) → PaymentSucceeded published with confirms
// straight after the commit. Preloads N messages, starts the stage, and times until
// all N outgoing events were seen. Prints its figures; asserts nothing (the machine
// is shared). Each prefetch runs twice: one transaction per delivery, then group
// commit of up to 32 deliveries (at most the prefetch).
// Usage: npm run bench:stage [-- <messages> <prefetch,...>]   e.g. npm run bench:stage -- 5000 16,64
import { paymentSucceeded } from '../generated/services/payment.ts';
import type { OrderPersisted } from '../generated/types.ts';
import type { HandlerContext } from '../runtime/handler-context.ts';
import { startHost } from '../runtime/host.ts';
import { publishRaw, tap } from '../test/support/amqp.ts';
import { example, rawEvent } from '../test/support/builders.ts';
import { createTestEnv, eventually } from '../test/support/env.ts';

const total = Number(process.argv[2] ?? 5000);
const prefetches = (process.argv[3] ?? '16,64').split(',').map(Number);

const payment = (size: number) => ({
  name: 'payment',
  commit: { size },
  handlers: {
    async onOrderPersisted(m: OrderPersisted, ctx: HandlerContext) {
      return [paymentSucceeded({ orderId: m.orderId, paymentId: ctx.messageId, customerId: m.customerId, email: m.email, lines: m.lines, amount: m.total, paidAt: new Date().toISOString() })];
    },
  },
});

const runs = prefetches.flatMap((prefetch) => [{ prefetch, size: 1 }, { prefetch, size: Math.min(32, prefetch) }]);
for (const { prefetch, size } of runs) {
  const env = await createTestEnv('bench');
  try {
    const config = env.config({ PREFETCH: String(prefetch), EVENT_LOG_LEVEL: 'off' });
    // Declare the topology first, then preload the queue with the stage stopped.
    await (await startHost(config, [])).stop();
    const messages = Array.from({ length: total }, () => rawEvent('OrderPersisted', example('OrderPersisted')));
    for (let i = 0; i < messages.length; i += 1000) await publishRaw(env.amqpUrl, messages.slice(i, i + 1000));
    const host = await startHost(config, []);
    const seen = await tap(env.amqpUrl, [{ exchange: 'shop.payments', routingKey: 'payment.succeeded' }]);
    await host.stop();
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const stage = await startHost(config, [payment(size)]);
    await eventually(async () => seen.messages.length >= total, `${total} PaymentSucceeded`, 600_000, 50);
    const seconds = (performance.now() - started) / 1000;
    const rss = process.memoryUsage().rss;
    console.log(`consumer stage, prefetch ${prefetch}, ${size > 1 ? `groups of up to ${size}` : 'one transaction each'}: ${total} messages in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(0)} msg/s` +
      ` (validate → tx{inbox, handler, outbox} → ack → publish with confirms); rss ${(rss / 2 ** 20).toFixed(0)} MiB (+${((rss - rssBefore) / 2 ** 20).toFixed(0)} MiB)`);
    await seen.close();
    await stage.stop();
  } finally {
    await env.cleanup();
  }
}
