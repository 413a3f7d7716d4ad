// test-time-limit: 90s
// Admission control on the real broker: while more messages than ADMISSION_MAX_BACKLOG
// wait in the services' queues, or events in the outbox unpublished, POST /orders answers
// 503 problem+json with Retry-After and stores nothing; once the queues drain, the same
// request (same Idempotency-Key) is accepted. Only the api runs, so what it sends waits in the queues of the services
// that would take it (store-order, order-timeline, log-persistence), as behind a slow pipeline.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { consumers } from '../generated/topology.ts';
import { apiService } from '../handlers/api/index.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { drainQueue, waitingInServiceQueues } from './support/amqp.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { everythingSent, postOrder } from './support/shop.ts';

let env: TestEnv;
let host: Host;
let hostStopped = false;
let baseUrl = '';

test.before(async () => {
  env = await createTestEnv('admission');
  host = await startHost(env.config({ PORT: '0', ADMISSION_MAX_BACKLOG: '5', ADMISSION_CHECK_MS: '100' }),
    [apiService({ onListening: (url) => { baseUrl = url; } })]);
});

test.after(async () => {
  if (!hostStopped) await host?.stop();
  await env?.cleanup();
});

interface Answer { status: number; retryAfter: string | null; contentType: string | null; body: any }

async function post(key: string, api = baseUrl): Promise<Answer> {
  const res = await fetch(`${api}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ customerId: randomUUID(), email: 'jane.doe@example.com', items: [{ productId: 'A1215', quantity: 1 }] }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type'), body: await res.json() };
}

const waitingInQueues = () => waitingInServiceQueues(env.amqpUrl);

/** What the api's admission control last read, as its /metrics says (NaN while it read nothing). */
async function backlogReported(api: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  return Number(/^shop_pipeline_backlog_messages (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
}

test('past the backlog limit an order is refused with 503 and Retry-After, nothing stored; once the queues drain, its retry is accepted', async () => {
  const accepted: string[] = [];
  let refusedKey = '';
  const refusal = await eventually(async () => {
    const key = `admission-${randomUUID()}`;
    const answer = await post(key);
    if (answer.status === 202) {
      accepted.push(answer.body.orderId);
      return undefined;
    }
    refusedKey = key;
    return answer;
  }, 'a POST refused once more than 5 messages wait', 30_000, 50);
  assert.is(refusal.status, 503, JSON.stringify(refusal.body));
  // the first orders found the queues empty; each accepted one left messages in them (its OrderCreated, its log records)
  assert.ok(accepted.length >= 1, 'orders were taken while the queues were short');
  assert.is(refusal.contentType, 'application/problem+json; charset=utf-8');
  assert.is(refusal.body.type, 'https://shop.example/problems/pipeline-behind');
  assert.is(refusal.body.status, 503);
  const [, waiting, retryIn] = /: (\d+) messages wait in the services' queues .*; past 5 waiting a growing share of orders is refused, all of them from 10\. Retry in (\d+) seconds/.exec(refusal.body.detail) ?? [];
  assert.ok(Number(waiting) > 5, refusal.body.detail);
  assert.is(refusal.retryAfter, retryIn, 'Retry-After says what the detail says');
  assert.match(refusal.body.detail, /the deepest is (store-order|order-timeline|log-persistence) with \d+/);
  const stored = await sql<{ n: number }>(env.databaseUrl, 'select count(*)::int as n from api.idempotency_keys where key = $1', [refusedKey]);
  assert.is(stored[0].n, 0, 'the refused order was not stored');
  const orders = await sql<{ n: number }>(env.databaseUrl, 'select count(*)::int as n from api.order_requests');
  assert.is(orders[0].n, accepted.length);

  // the pipeline catches up: its queues empty, and the refused request, retried with its key
  // by a client that waits as Retry-After says, is accepted
  // the accepted orders' log records go out in a batch up to LOG_BATCH_MS later: drained
  // before that, the queues would fill again behind the drain
  await everythingSent(env.databaseUrl);
  for (const { queue } of consumers) await drainQueue(env.amqpUrl, queue);
  assert.is(await waitingInQueues(), 0);
  const retried = await postOrder(baseUrl, { customerId: randomUUID(), email: 'jane.doe@example.com', items: [{ productId: 'A1215', quantity: 1 }] },
    { 'idempotency-key': refusedKey }, 10_000);
  assert.is(retried.status, 202, await retried.text());
});

test('events unpublished in the outbox count as waiting (a service down, or the broker): past the limit orders are refused until they are published', async () => {
  await everythingSent(env.databaseUrl);
  for (const { queue } of consumers) await drainQueue(env.amqpUrl, queue);
  // store-order's events, committed 10 s ago: this process runs only the api, so its relay never
  // publishes them, as when store-order's process is down
  await sql(env.databaseUrl, `insert into runtime.outbox (message_id, message_type, exchange, routing_key, causation_id, traceparent, app_id, payload, created_at)
    select gen_random_uuid(), 'OrderPersisted', 'shop.orders', 'order.persisted', gen_random_uuid(), '00-${'1'.repeat(32)}-${'2'.repeat(16)}-01', 'store-order', '{}'::jsonb, now() - interval '10 seconds'
      from generate_series(1, 12)`);
  const refusal = await eventually(async () => {
    const answer = await post(`outbox-${randomUUID()}`);
    return answer.status === 503 ? answer : undefined;
  }, 'a POST refused while 12 events wait in the outbox', 10_000, 50);
  assert.match(refusal.body.detail, /^The order was not accepted: \d+ messages wait in the services' queues.* and 10 or more events wait in the outbox, unpublished for over 1 s; past 5 waiting/);
  // published at last (here: marked sent, as the relay does once the broker confirmed them)
  await sql(env.databaseUrl, `update runtime.outbox set status = 'sent', sent_at = now() where app_id = 'store-order'`);
  for (const { queue } of consumers) await drainQueue(env.amqpUrl, queue);
  const taken = await eventually(async () => {
    const answer = await post(`outbox-after-${randomUUID()}`);
    return answer.status === 202 ? answer : undefined;
  }, 'a POST taken once the outbox is published', 10_000, 100);
  assert.is(taken.status, 202);
});

test('the broker out of reach: the orders taken wait in the outbox and count at once; past the limit orders are refused until it is back and they are published', async () => {
  // the api of the tests above would publish this one's events itself (its relay and log batcher take every api row)
  await host.stop();
  hostStopped = true;
  await everythingSent(env.databaseUrl);
  for (const { queue } of consumers) await drainQueue(env.amqpUrl, queue);
  const proxy = await startTcpProxy(env.amqpUrl);
  let url = '';
  const cutOff = await startHost(env.config({ PORT: '0', ADMISSION_MAX_BACKLOG: '5', ADMISSION_CHECK_MS: '100', AMQP_URL: proxy.via(env.amqpUrl) }),
    [apiService({ onListening: (u) => { url = u; } })]);
  try {
    await proxy.cut();
    // one order at a time, each once the api's reading counts the ones before it, so that how
    // many are taken depends on the count alone, not on how fast this machine is today
    const accepted: string[] = [];
    let refusal: Answer | undefined;
    while (!refusal && accepted.length <= 10) {
      const answer = await post(`cut-off-${randomUUID()}`, url);
      if (answer.status === 503) refusal = answer;
      else {
        assert.is(answer.status, 202, JSON.stringify(answer.body));
        accepted.push(answer.body.orderId);
        await eventually(async () => (await backlogReported(url)) >= accepted.length, `the api's reading to count ${accepted.length} unpublished`, 10_000, 20);
      }
    }
    assert.ok(refusal, `refused from twice the limit at the latest; taken: ${accepted.length}`);
    assert.match(refusal.body.detail, /^The order was not accepted: the services' queues cannot be read \(is the broker down\?\) and (\d+|10 or more) events wait in the outbox, unpublished; past 5 waiting/);
    const [{ orders, events }] = await sql<{ orders: number; events: number }>(env.databaseUrl,
      `select count(*) filter (where message_type = 'OrderCreated')::int as orders, count(*)::int as events from runtime.outbox where status = 'pending'`);
    assert.is(orders, accepted.length, 'each order taken left its OrderCreated in the outbox');
    assert.ok(events > 5, `refused past the limit of 5: ${events} events pending (${accepted.length} orders and their log records); ${refusal!.body.detail}`);

    // back: the relay publishes what waited, the pipeline (here: the test) takes it, and orders are taken again
    await proxy.restore();
    await everythingSent(env.databaseUrl);
    for (const { queue } of consumers) await drainQueue(env.amqpUrl, queue);
    const taken = await eventually(async () => {
      const answer = await post(`cut-off-after-${randomUUID()}`, url);
      return answer.status === 202 ? answer : undefined;
    }, 'a POST taken once the broker is back and the outbox published', 30_000, 100);
    assert.is(taken.status, 202);
  } finally {
    await cutOff.stop();
    await proxy.close();
  }
});

test('ADMISSION_MAX_BACKLOG=0 never refuses: orders are taken however many messages wait', async () => {
  const open = await startHost(env.config({ PORT: '0', ADMISSION_MAX_BACKLOG: '0' }), [apiService({ onListening: (url) => { baseUrl = url; } })]);
  try {
    for (let i = 0; i < 8; i++) assert.is((await post(`unlimited-${randomUUID()}`)).status, 202);
    assert.ok(await waitingInQueues() > 5);
  } finally {
    await open.stop();
  }
});

test.run();
