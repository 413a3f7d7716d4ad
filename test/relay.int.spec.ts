// The outbox relay at volume: 10,000 committed rows, two relays competing,
// each row published exactly once (no crash here) and in order per correlation id.
// The rows are store-order's: a relay publishes a row as the service that wrote it, so
// both hosts run store-order's identity (and nothing else of it: no consumer).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { tap, type Tap } from './support/amqp.ts';
import { startHost, type Host } from '../runtime/host.ts';

let env: TestEnv;
const hosts: Host[] = [];
let received: Tap;
const publishedBy = [0, 0];

test.before(async () => {
  env = await createTestEnv('relay');
  for (const i of [0, 1]) {
    hosts.push(await startHost(env.config({ RELAY_BATCH_SIZE: '250', RETENTION_HOURS: '1', PRUNE_INTERVAL_MS: '1000' }), [{ name: 'store-order' }], {
      relayHooks: { afterPublish: (ids) => { publishedBy[i] += ids.length; } },
    }));
  }
  received = await tap(env.amqpUrl, [{ exchange: 'shop.orders', routingKey: 'order.persisted' }]);
});

test.after(async () => {
  await received?.close();
  for (const h of hosts) await h.stop();
  await env?.cleanup();
});

test('10,000 outbox rows are published once each, in order per correlation id, by two relays', async () => {
  const started = Date.now();
  await sql(env.databaseUrl, `
    insert into runtime.outbox (message_id, message_type, exchange, routing_key, correlation_id, causation_id, traceparent, app_id, payload)
    select gen_random_uuid(), 'OrderPersisted', 'shop.orders', 'order.persisted', 'order-' || (i % 100), gen_random_uuid(),
           '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'store-order', jsonb_build_object('seq', i)
      from generate_series(1, 10000) as i`);
  await eventually(async () => received.messages.length >= 10_000, `10,000 messages (have ${received.messages.length})`, 120_000, 200);
  const seconds = (Date.now() - started) / 1000;
  // Every row marked sent: no relay publishes any of them again, and each was published before it was
  // marked; once the tap has all that was routed to it, a copy published twice would be in it.
  await eventually(async () => (await sql<{ sent: number }>(env.databaseUrl,
    `select count(*)::int as sent from runtime.outbox where status = 'sent' and app_id = 'store-order'`))[0].sent === 10_000, 'every row marked sent', 30_000);
  await received.settled();
  assert.is(received.messages.length, 10_000, 'no message published twice');
  assert.is(new Set(received.messages.map((m) => m.messageId)).size, 10_000);
  const lastSeq = new Map<string, number>();
  for (const m of received.messages) {
    const seq = (m.body as { seq: number }).seq;
    const before = lastSeq.get(m.correlationId!) ?? 0;
    assert.ok(seq > before, `${m.correlationId}: ${seq} after ${before}`);
    lastSeq.set(m.correlationId!, seq);
  }
  assert.is(publishedBy[0] + publishedBy[1], 10_000);
  console.log(`    relay: 10,000 rows in ${seconds.toFixed(1)} s; relay A published ${publishedBy[0]}, relay B ${publishedBy[1]}`);
});

test('sent outbox rows and inbox entries older than the retention are pruned; younger and unsent ones stay', async () => {
  await sql(env.databaseUrl, `
    insert into runtime.outbox (message_id, message_type, exchange, routing_key, correlation_id, causation_id, traceparent, app_id, payload, status, created_at, sent_at)
    select gen_random_uuid(), 'OrderCancelled', 'shop.orders', 'relay.test', 'prune-' || s, gen_random_uuid(),
           '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'prune-test', '{}'::jsonb, s, now() - interval '2 hours', now() - interval '2 hours'
      from unnest(array['sent', 'failed']) as s`);
  await sql(env.databaseUrl, `insert into runtime.inbox (consumer, message_id, message_type, processed_at) values
    ('prune-test', gen_random_uuid(), 'OrderCreated', now() - interval '2 hours'), ('prune-test', gen_random_uuid(), 'OrderCreated', now())`);
  await eventually(async () => (await sql(env.databaseUrl, `select 1 from runtime.outbox where correlation_id = 'prune-sent'`)).length === 0, 'old sent row pruned', 10_000);
  await eventually(async () => (await sql(env.databaseUrl, `select 1 from runtime.inbox where consumer = 'prune-test'`)).length === 1, 'old inbox entry pruned', 10_000);
  assert.is((await sql(env.databaseUrl, `select 1 from runtime.outbox where correlation_id = 'prune-failed'`)).length, 1, 'a failed row is kept for inspection');
  const [{ n }] = await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from runtime.outbox where app_id = 'store-order'`);
  assert.is(n, 10_000, 'rows sent within the retention stay');
});

test.run();
