// test-time-limit: 900s
// test-alone: stops and starts the machine's RabbitMQ, which every other file uses
// Fault suite, RabbitMQ: the broker application stopped and started under load, every
// connection closed by the broker, and poison messages published straight to the
// exchanges beside healthy traffic (they, and only they, must end in the dead-letter
// queues). Each scenario ends with the shared invariants. The broker is always restored.
import { test } from 'uvu';
import { closeBrokerConnections, FORM, FULL, restartRabbit, runScenario } from './support/faults.ts';
import { deadLetterQueuesFor, faultTable } from './support/invariants.ts';
import { publishRaw } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import type { MessageName } from '../generated/types.ts';

const table = faultTable('broker.fault.spec.ts', FORM);
const ORDERS = FULL ? 400 : 80;

test.after(() => table.finish());

test('RabbitMQ stopped and started under load: invariants hold once it is back', async () => {
  table.record('broker restart', await runScenario({
    label: 'f_rabbit_restart', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.3,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    fault: async ({ notes }) => {
      const started = Date.now();
      await restartRabbit(FULL ? 10_000 : 3_000);
      notes.push(`broker away and back in ${Date.now() - started} ms`);
    },
  }));
});

test('the broker closes every connection mid-stream: invariants hold', async () => {
  table.record('broker connections closed', await runScenario({
    label: 'f_rabbit_close', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.3,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    fault: async ({ env, notes }) => {
      notes.push((await closeBrokerConnections(env.vhost, 'fault suite: server-side close')).trim().split('\n').slice(-1)[0] ?? '');
    },
  }));
});

test('poison messages beside healthy traffic: they and only they are dead-lettered, invariants hold', async () => {
  table.record('poison messages', await runScenario({
    label: 'f_poison', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.3,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    fault: async ({ env, expectedDeadLetters, notes }) => {
      const created = example('OrderCreated');
      const persisted = example('OrderPersisted');
      const succeeded = example('PaymentSucceeded');
      const poison: [MessageName, ReturnType<typeof rawEvent>][] = [
        ['OrderCreated', { ...rawEvent('OrderCreated', created), body: Buffer.from('{"orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01", "items": [') }],
        ['OrderCreated', { ...rawEvent('OrderCreated', created), body: { ...created, items: [{ productId: 'A1215', quantity: 0 }] } }],
        ['OrderPersisted', { ...rawEvent('OrderPersisted', persisted), body: { ...persisted, total: { amount: 100, currency: 'EUR', discount: 5 } } }],
        ['PaymentSucceeded', { ...rawEvent('PaymentSucceeded', succeeded), body: { ...succeeded, orderId: 'not-a-uuid' } }],
      ];
      const ids = await publishRaw(env.amqpUrl, poison.map(([, m]) => m));
      poison.forEach(([type], i) => {
        for (const queue of deadLetterQueuesFor(type)) (expectedDeadLetters[queue] ??= []).push(ids[i]);
      });
      notes.push(`poison: ${Object.entries(expectedDeadLetters).map(([q, l]) => `${q}×${l.length}`).join(', ')}`);
    },
  }));
});

test.run();
