// test-time-limit: 180s
// test-alone: raises the machine's RabbitMQ disk alarm, which blocks every publisher of every other file
// A RabbitMQ resource alarm (disk or memory), against the real RabbitMQ and PostgreSQL: the
// broker stops reading from every connection that publishes until the alarm clears. A
// service whose deliveries and publishes shared one connection could then neither ack nor
// take a new delivery, so the queues that hold the broker's memory or disk could not drain.
// Each service publishes on a connection of its own: consuming goes on through the alarm
// (the events wait in the outbox), /ready stays up (the api goes on taking orders into the
// outbox), and once the alarm clears every event is published and every effect is there once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { withDiskAlarm } from './support/faults.ts';
import { doneOnce, EFFECTS_TABLE, publishOrders, testServices, type Seen } from './support/test-services.ts';
import { setupBroker } from '../runtime/broker-setup.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { createLogger } from '../runtime/logger.ts';

let env: TestEnv;
let host: Host | undefined;

test.before(async () => {
  env = await createTestEnv('broker_alarm');
  await sql(env.databaseUrl, EFFECTS_TABLE);
  const config = env.config();
  await setupBroker(config, createLogger(config));
});

test.after(async () => {
  await host?.stop();
  await env?.cleanup();
});

test('under a disk alarm the services go on consuming what is queued, /ready stays up, and every effect is there once after it', async () => {
  const seen: Seen[] = [];
  const ids = await publishOrders(env.amqpUrl, 60);
  await withDiskAlarm(async () => {
    host = await startHost(env.config({ PREFETCH: '8' }), testServices({ seen }));
    // Payment handles every order and commits its PaymentSucceeded to the outbox; with its
    // acks on a blocked connection it would stop after its first prefetch of 8.
    const paid = async () => (await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from public.test_effects where service = 'payment'`))[0]!.n;
    await eventually(async () => (await paid()) === ids.length, `every order paid during the alarm (${seen.length} seen)`, 30_000);
    assert.equal(seen.filter((s) => s.service === 'invoice').length, 0, 'no PaymentSucceeded got through the alarm');
    assert.equal(await host.ready(), { broker: true, database: true }, '/ready during the alarm');
  });
  await doneOnce(env, ids, seen, 'an effect per order and service once the alarm cleared');
});

test.run();
