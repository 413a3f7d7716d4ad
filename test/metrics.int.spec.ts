// /metrics against the real broker and database: the api's and a consumer process's
// health port answer in Prometheus text format, and the delivery counters (handled,
// duplicate, retry, dead-letter per service and type), the HTTP durations by route
// pattern and status, the backlog gauges and the api's requests waiting for its group
// commit move with the traffic sent here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { apiService } from '../handlers/api/index.ts';
import { TransientError } from '../runtime/errors.ts';
import { commitOf, startHost, type Host } from '../runtime/host.ts';
import { publishRaw, waitingInServiceQueues } from './support/amqp.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { example, rawEvent } from './support/builders.ts';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { EFFECTS_TABLE, testServices } from './support/test-services.ts';
import { freePort } from './support/smtp.ts';

let env: TestEnv;
let consumers: Host;
let api: Host;
let healthUrl = '';
let apiUrl = '';
const failFor = new Map<string, Error>();

test.before(async () => {
  env = await createTestEnv('metrics');
  await sql(env.databaseUrl, EFFECTS_TABLE);
  const healthPort = await freePort();
  consumers = await startHost(env.config({ HEALTH_PORT: String(healthPort) }), testServices({ failFor }));
  healthUrl = `http://127.0.0.1:${healthPort}`;
  api = await startHost(env.config({ PORT: '0' }), [apiService({ onListening: (url) => { apiUrl = url; } })]);
});

test.after(async () => {
  await api?.stop();
  await consumers?.stop();
  await env?.cleanup();
});

// --- reading the text format -----------------------------------------------------------

type Labels = Record<string, string>;
interface Sample { name: string; labels: Labels; value: number }

async function scrape(base: string): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', 'text/plain; version=0.0.4');
  return parse(await res.text());
}

/**
 * A scrape in which the backlog gauges were read. Their query is given 1 s
 * (runtime/metrics.ts QUERY_TIMEOUT_MS) and left out of a scrape that it would hold up
 * (NaN), which a busy machine can cause: the test asks again rather than read NaN.
 */
async function scrapeWithBacklog(base: string): Promise<Sample[]> {
  return eventually(async () => {
    const samples = await scrape(base);
    return Number.isFinite(valueOf(samples, 'shop_outbox_pending_rows')) && samples;
  }, 'a scrape with the backlog read', 20_000);
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Labels = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one series with these labels (among others); 0 when it is absent. */
function valueOf(samples: Sample[], name: string, labels: Labels = {}): number {
  const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(matching.length <= 1, `${name} ${JSON.stringify(labels)} matches ${matching.length} series`);
  return matching[0]?.value ?? 0;
}

const delivered = (service: string, type: string, outcome: string) => ({ name: 'shop_messages_total', labels: { service, type, outcome } });

/**
 * Waits until each series moved by at least the given amount since `before`, then checks, on the
 * scrape that showed it, that each moved by exactly that much. `wanted` names an outcome for every delivery
 * the test causes (each delivery counts once, under one outcome): once they all moved, nothing of
 * the test's is left to count, and a delivery counted twice or under another outcome shows in that
 * scrape or keeps the wait from ending.
 */
async function movedBy(base: string, before: Sample[], wanted: { name: string; labels: Labels; by: number }[]): Promise<void> {
  const delta = (now: Sample[], w: { name: string; labels: Labels }) => valueOf(now, w.name, w.labels) - valueOf(before, w.name, w.labels);
  let now: Sample[] = [];
  try {
    await eventually(async () => {
      now = await scrape(base);
      return wanted.every((w) => delta(now, w) >= w.by);
    }, 'the counters to move', 15_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${wanted.map((w) => `${w.name}${JSON.stringify(w.labels)} moved ${delta(now, w)}, want ${w.by}`).join('; ')}`);
  }
  for (const w of wanted) assert.is(delta(now, w), w.by, `${w.name}${JSON.stringify(w.labels)}`);
}

// --- consumers --------------------------------------------------------------------------

test('a handled message counts once for each service that handled it, with its duration', async () => {
  const before = await scrape(healthUrl);
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', example('OrderPersisted'))]);
  await movedBy(healthUrl, before, [
    { ...delivered('payment', 'OrderPersisted', 'handled'), by: 1 },
    { ...delivered('invoice', 'PaymentSucceeded', 'handled'), by: 1 },
    { name: 'shop_message_duration_seconds_count', labels: { service: 'payment', type: 'OrderPersisted' }, by: 1 },
    { name: 'shop_message_duration_seconds_count', labels: { service: 'invoice', type: 'PaymentSucceeded' }, by: 1 },
  ]);
});

test('the same messageId delivered twice counts one handled and one duplicate', async () => {
  const event = rawEvent('OrderPersisted', example('OrderPersisted'));
  const before = await scrape(healthUrl);
  await publishRaw(env.amqpUrl, [event]);
  await movedBy(healthUrl, before, [{ ...delivered('payment', 'OrderPersisted', 'handled'), by: 1 }]);
  await publishRaw(env.amqpUrl, [event]);
  await movedBy(healthUrl, before, [
    { ...delivered('payment', 'OrderPersisted', 'handled'), by: 1 },
    { ...delivered('payment', 'OrderPersisted', 'duplicate'), by: 1 },
  ]);
});

test('an invalid message counts as dead-lettered, under its type', async () => {
  const order = example('OrderPersisted');
  const before = await scrape(healthUrl);
  await publishRaw(env.amqpUrl, [{ ...rawEvent('OrderPersisted', order), body: { ...order, surprise: true } }]);
  await movedBy(healthUrl, before, [
    { ...delivered('payment', 'OrderPersisted', 'dead-letter'), by: 1 },
    { ...delivered('payment', 'OrderPersisted', 'handled'), by: 0 },
  ]);
});

test('a message of a type the service does not receive counts under type "unknown"', async () => {
  const before = await scrape(healthUrl);
  const stray = rawEvent('OrderPersisted', example('OrderPersisted'));
  await publishRaw(env.amqpUrl, [{ ...stray, options: { ...stray.options, type: 'NoSuchThing' } }]);
  await movedBy(healthUrl, before, [{ ...delivered('payment', 'unknown', 'dead-letter'), by: 1 }]);
});

test('a failing handler counts each retry, then the dead letter (MAX_ATTEMPTS=3)', async () => {
  const order = example('OrderPersisted');
  failFor.set(order.orderId, new TransientError(`gateway timeout for order ${order.orderId}`));
  const before = await scrape(healthUrl);
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  await movedBy(healthUrl, before, [
    { ...delivered('payment', 'OrderPersisted', 'retry'), by: 2 },
    { ...delivered('payment', 'OrderPersisted', 'dead-letter'), by: 1 },
    { name: 'shop_message_duration_seconds_count', labels: { service: 'payment', type: 'OrderPersisted' }, by: 3 },
  ]);
});

// --- gauges and the process ------------------------------------------------------------

test('the backlog gauges read the outbox and the e-mail table when scraped', async () => {
  const before = await scrapeWithBacklog(healthUrl);
  for (const name of ['shop_outbox_pending_rows', 'shop_outbox_oldest_pending_age_seconds', 'shop_log_records_pending', 'shop_emails_pending', 'shop_emails_failed']) {
    const series = before.filter((s) => s.name === name);
    assert.is(series.length, 1, name);
    assert.ok(Number.isFinite(series[0]!.value) && series[0]!.value >= 0, `${name} is ${series[0]!.value}`);
  }
  // no e-mail service runs here: the rows stay as they are written
  const email = (status: string) => sql(env.databaseUrl,
    `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id, status)
     values ($1, 'invoice', $2, 'jane.doe@example.com', 's', 't', 'h', $3, $4)`, [randomUUID(), randomUUID(), `<${randomUUID()}@test>`, status]);
  await email('pending');
  await email('pending');
  await email('failed');
  const after = await scrapeWithBacklog(healthUrl);
  assert.is(valueOf(after, 'shop_emails_pending') - valueOf(before, 'shop_emails_pending'), 2);
  assert.is(valueOf(after, 'shop_emails_failed') - valueOf(before, 'shop_emails_failed'), 1);
});

test('each pool reports its connections by service, the runtime\'s included', async () => {
  const now = await scrape(healthUrl);
  for (const service of ['runtime', 'payment', 'invoice']) {
    assert.ok(valueOf(now, 'shop_db_pool_max', { service }) > 0, `pool max of ${service}`);
    assert.ok(valueOf(now, 'shop_db_pool_connections', { service, state: 'idle' }) >= 0, `idle connections of ${service}`);
    assert.ok(valueOf(now, 'shop_db_pool_waiting', { service }) >= 0, `waiting on ${service}`);
  }
});

test('the process metrics are there once, beside the host\'s own', async () => {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  assert.is(text.match(/^# TYPE process_cpu_user_seconds_total /gm)?.length, 1);
  assert.is(text.match(/^# TYPE shop_messages_total counter$/gm)?.length, 1);
});

test('a database that does not answer leaves the backlog out of /metrics without holding it up', async () => {
  const proxy = await startTcpProxy(env.databaseUrl);
  const port = await freePort();
  const lonely = await startHost(env.config({ HEALTH_PORT: String(port), DATABASE_URL: proxy.via(env.databaseUrl) }), []);
  try {
    const base = `http://127.0.0.1:${port}`;
    await scrapeWithBacklog(base); // read while the database answers
    await proxy.cut();
    const started = Date.now();
    const now = await scrape(base);
    assert.ok(Date.now() - started < 3000, `the scrape took ${Date.now() - started} ms`);
    assert.ok(Number.isNaN(valueOf(now, 'shop_outbox_pending_rows')), 'the backlog is not made up');
    assert.ok(now.some((s) => s.name === 'process_cpu_user_seconds_total'), 'the rest is still served');
  } finally {
    await proxy.restore();
    await lonely.stop();
    await proxy.close();
  }
});

// --- the api ----------------------------------------------------------------------------

const placeOrder = () => fetch(`${apiUrl}/orders`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ customerId: randomUUID(), email: 'jane.doe@example.com', items: [{ productId: 'A1215', quantity: 1 }] }),
});

test('the api times requests by route pattern and status, and its orders reach the outbox', async () => {
  const before = await scrape(apiUrl);
  const res = await placeOrder();
  assert.is(res.status, 202, await res.text());
  assert.is((await fetch(`${apiUrl}/orders/${randomUUID()}`)).status, 404);
  assert.is((await fetch(`${apiUrl}/no/such/path`)).status, 404);
  const after = await scrape(apiUrl);
  const count = 'shop_http_request_duration_seconds_count';
  const moved = (labels: Labels) => valueOf(after, count, labels) - valueOf(before, count, labels);
  assert.is(moved({ method: 'POST', route: '/orders', status: '202' }), 1);
  assert.is(moved({ method: 'GET', route: '/orders/:orderId', status: '404' }), 1);
  assert.is(moved({ method: 'GET', route: 'unmatched', status: '404' }), 1);
  assert.ok(!after.some((s) => s.labels.route?.includes('/no/such')), 'a raw URL became a label');
  assert.ok(after.some((s) => s.name === 'shop_outbox_pending_rows'), 'the api reports the outbox too');
  assert.ok(valueOf(after, 'shop_db_pool_max', { service: 'api' }) > 0, 'the api\'s pool');
});

test('the api reports the orders waiting for a free lane of its group commit', async () => {
  const waiting = async () => {
    const series = (await scrape(apiUrl)).filter((s) => s.name === 'shop_group_commit_waiting' && s.labels.service === 'api');
    assert.is(series.length, 1, 'one series for the api');
    return series[0]!.value;
  };
  assert.is(await waiting(), 0, 'nothing waits while the api is idle');
  const { lanes } = commitOf(apiService(), api.runtime.config);
  const blocker = new pg.Client({ connectionString: env.databaseUrl });
  await blocker.connect();
  const answers: Promise<Response>[] = [];
  try {
    // every lane's transaction waits on the table, so the orders sent next wait for a lane
    await blocker.query('begin');
    await blocker.query('lock table api.order_requests in exclusive mode');
    // One order at a time: orders that find a lane busy gather for one further lane (runtime/group-commit.ts).
    for (let i = 1; i <= lanes; i++) {
      answers.push(placeOrder());
      await eventually(async () => {
        const [{ n }] = await sql<{ n: number }>(env.databaseUrl,
          `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'order_requests' and not l.granted`);
        if (n < i) throw new Error(`${n} waiting on the table`);
        return true;
      }, `${i} of the ${lanes} lanes waiting on the table`, 10_000, 20);
    }
    for (let i = 0; i < 3; i++) answers.push(placeOrder());
    await eventually(async () => {
      const n = await waiting();
      if (n !== 3) throw new Error(`shop_group_commit_waiting{service="api"} is ${n}`);
      return true;
    }, 'the 3 orders sent last to wait for a lane', 10_000, 20);
    await blocker.query('commit');
  } finally {
    await blocker.end();
  }
  for (const res of await Promise.all(answers)) assert.is(res.status, 202, await res.text());
  assert.is(await waiting(), 0, 'nothing waits once they are answered');
});

test('the api reports the backlog its admission control reads: the messages waiting in the services\' queues', async () => {
  const res = await placeOrder();
  assert.is(res.status, 202, await res.text());
  // nobody consumes the real services' queues here: what the api sent waits in them
  let last = '';
  await eventually(async () => {
    const reported = valueOf(await scrape(apiUrl), 'shop_pipeline_backlog_messages');
    const inQueues = await waitingInServiceQueues(env.amqpUrl);
    last = `reported ${reported}, in the queues ${inQueues}`;
    return inQueues > 0 && reported === inQueues;
  }, 'the gauge to match the queues', 10_000, 100).catch((err: Error) => { throw new Error(`${err.message}; ${last}`); });
});

test.run();
