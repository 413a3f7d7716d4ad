// test-time-limit: 900s
// test-alone: stops and starts the machine's RabbitMQ, which every other file uses
// Fault suite, RabbitMQ: the broker application stopped and started under load, every
// connection closed by the broker, the broker gone silent (half-open connections, and
// new ones unanswered for a while, as a dead host or a failover leaves them), and poison
// messages published straight to the exchanges beside healthy traffic (they, and only
// they, must end in the dead-letter queues). Each scenario ends with the shared
// invariants. The broker is always restored.
import { test } from 'uvu';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeBrokerConnections, FORM, FULL, restartRabbit, runScenario } from './support/faults.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { AMQP_BASE } from './support/env.ts';
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

test('the broker goes silent under load (open connections for good, new ones for a while): /ready says so, reconnects give up and retry, invariants hold', async () => {
  const proxy = await startTcpProxy(AMQP_BASE);
  const silentMs = FULL ? 15_000 : 8_000;
  try {
    table.record('broker goes silent', await runScenario({
      label: 'f_rabbit_silent', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.3,
      settings: (env) => ({ PAYMENT_FAILURE_RATE: '0.25', AMQP_URL: proxy.via(env.amqpUrl), AMQP_HEARTBEAT_SECONDS: '1', AMQP_CONNECT_TIMEOUT_MS: '1000' }),
      fault: async ({ system, extra, notes }) => {
        const accepted = proxy.accepted;
        const silenced = proxy.stall({ alsoNew: true });
        const started = Date.now();
        let ready = 0;
        while (ready !== 503 && Date.now() - started < silentMs) {
          ready = await fetch(`${system.apiUrl}/ready`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
        }
        const saidDownAfter = Date.now() - started;
        await sleep(Math.max(0, silentMs - saidDownAfter));
        const attempts = proxy.accepted - accepted;
        proxy.unstall();
        notes.push(`${silenced} connection(s) silenced for good; ${attempts} connection attempt(s) into the silence in ${silentMs} ms; /ready 503 after ${saidDownAfter} ms`);
        extra.push({ name: '/ready said the broker was down', ok: ready === 503, detail: ready === 503 ? `after ${saidDownAfter} ms` : `last answer ${ready}` });
        // each connection's first attempt gives up after 1 s and the next begins: more attempts than connections
        extra.push({ name: 'reconnect attempts gave up and retried', ok: attempts > silenced, detail: `${attempts} attempts for ${silenced} connections` });
      },
    }));
  } finally {
    await proxy.close();
  }
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
