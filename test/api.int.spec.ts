// The api service against the real PostgreSQL and RabbitMQ: an accepted order is
// stored with exactly one OrderCreated, invalid orders are refused naming the field,
// Idempotency-Key makes retries safe, orders arriving together share a transaction and
// are each decided as if alone, GET /orders/{id} reads the timeline, and every answer
// (errors included) matches openapi.yaml. The database is reached through a TCP proxy
// so that one test can make it unreachable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { examples, messages } from '../generated/registry.ts';
import { apiService } from '../handlers/api/index.ts';
import { acceptOrders, forgetOldIdempotencyKeys } from '../handlers/api/acceptOrder.ts';
import { inTransaction, openDatabase } from '../runtime/db.ts';
import { countRoundTrips } from './support/round-trips.ts';
import { commitOf, startHost, type Host } from '../runtime/host.ts';
import { deref, loadOpenApi, openApiAjv, rewriteRefs, validatorFor, type JsonSchema } from '../runtime/http/openapi.ts';
import { tap, type Tap } from './support/amqp.ts';
import { createTestEnv, eventually, PG_ADMIN_URL, sql, type TestEnv } from './support/env.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

type Obj = Record<string, any>;

const doc = loadOpenApi();
const ajv = openApiAjv(doc);

let env: TestEnv;
let proxy: TcpProxy;
let host: Host;
let orders: Tap;
let baseUrl = '';

test.before(async () => {
  env = await createTestEnv('api');
  proxy = await startTcpProxy(env.databaseUrl);
  host = await startHost(
    // Only the api runs: nothing consumes what it sends, so its queues only grow, and
    // admission control (test/admission.int.spec.ts) would refuse orders past its limit.
    env.config({ PORT: '0', DATABASE_URL: proxy.via(env.databaseUrl), ADMISSION_MAX_BACKLOG: '0' }),
    [apiService({ onListening: (url) => { baseUrl = url; } })],
  );
  orders = await tap(env.amqpUrl, [{ exchange: 'shop.orders', routingKey: 'order.created' }]);
});

test.after(async () => {
  await proxy?.restore();
  await orders?.close();
  await host?.stop();
  await proxy?.close();
  await env?.cleanup();
});

// --- builders and helpers ---------------------------------------------------------------

const anOrder = (overrides: Obj = {}): Obj => ({
  customerId: randomUUID(),
  email: 'jane.doe@example.com',
  items: [{ productId: 'A1215', quantity: 1 }, { productId: 'A1216', quantity: 2 }],
  ...overrides,
});

interface Answer { status: number; headers: Headers; mediaType: string; text: string; body: any }

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  let body: unknown = text;
  if (mediaType.endsWith('json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, mediaType, text, body };
}

const post = (body: unknown, headers: Record<string, string> = {}) => call('/orders', {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Asserts the answer is one openapi.yaml declares for this operation, body valid against its schema. */
function conforms(path: string, method: string, answer: Answer): void {
  const op = doc.paths[path]?.[method] as Obj | undefined;
  assert.ok(op, `openapi.yaml has no ${method} ${path}`);
  const response = deref<Obj>(doc, op.responses[String(answer.status)]);
  assert.ok(response, `${method} ${path} does not declare ${answer.status}: ${answer.text}`);
  const media = response.content?.[answer.mediaType];
  assert.ok(media, `${method} ${path} ${answer.status} does not declare ${answer.mediaType}`);
  const validate = ajv.compile(rewriteRefs(media.schema as JsonSchema) as object);
  assert.ok(validate(answer.body), `${method} ${path} ${answer.status} breaks the contract: ${ajv.errorsText(validate.errors)}\n${answer.text}`);
}

/** Asserts an RFC 9457 problem of this status and kind; 400s are ValidationProblems. */
function isProblem(answer: Answer, status: number, kind: string): void {
  assert.is(answer.status, status, answer.text);
  assert.is(answer.mediaType, 'application/problem+json');
  const validate = validatorFor(ajv, status === 400 ? 'ValidationProblem' : 'Problem');
  const body: Obj = answer.body;
  assert.ok(validate(body), `not a problem document: ${ajv.errorsText(validate.errors)}\n${answer.text}`);
  assert.is(answer.body.status, status);
  assert.is(answer.body.type, `https://shop.example/problems/${kind}`);
  assert.type(answer.body.title, 'string');
  assert.type(answer.body.detail, 'string');
  assert.type(answer.body.instance, 'string');
}

const fieldsOf = (answer: Answer) => (answer.body.errors as { field: string }[]).map((e) => e.field);

const count = async (table: string, where = 'true', params: unknown[] = []) =>
  (await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from ${table} where ${where}`, params))[0].n;

/** The order's OrderCreated rows (its log record goes out in a LogEmitted batch: loggedAbout). */
const outboxOf = (orderId: string) => sql<Obj>(env.databaseUrl,
  `select message_id, message_type, exchange, routing_key, correlation_id, app_id, payload from runtime.outbox where correlation_id = $1 and message_type = 'OrderCreated'`, [orderId]);

/**
 * The log records about these orders, each with the service of the LogEmitted batch that
 * carries it (runtime/log-batcher.ts), once at least `expected` are in the outbox.
 */
const loggedAbout = (orderIds: readonly string[], expected: number) => eventually(async () => {
  const rows = await sql<Obj>(env.databaseUrl,
    `select o.payload->>'service' as service, r.record from runtime.outbox o cross join lateral jsonb_array_elements(o.payload->'records') as r(record)
      where o.message_type = 'LogEmitted' and r.record->>'orderId' = any($1::text[]) order by o.id`, [orderIds]);
  return rows.length >= expected ? rows : undefined;
}, `${expected} log record(s) about ${orderIds.length} order(s) in LogEmitted batches`, 10_000);

/**
 * Resolves once every copy of these orders' OrderCreated that was ever published has
 * reached the tap: each row is marked sent (runtime/relay.ts marks a row only once the
 * broker confirmed it, and publishes no row that is sent), and the tap has received
 * whatever the broker took before that.
 */
async function everyCopyArrived(orderIds: readonly string[]): Promise<void> {
  await eventually(async () => {
    const unsent = await count('runtime.outbox', `message_type = 'OrderCreated' and correlation_id = any($1::text[]) and status <> 'sent'`, [orderIds]);
    if (unsent) throw new Error(`${unsent} not yet marked sent`);
    return true;
  }, `the OrderCreated rows of ${orderIds.length} order(s) marked sent`, 10_000);
  await orders.settled();
}

const example = (name: keyof typeof examples, orderId: string): Obj => ({ ...(examples[name][0].payload as Obj), orderId });

async function recordTimeline(orderId: string, events: Array<{ type: keyof typeof examples; at: Date }>): Promise<string[]> {
  const ids: string[] = [];
  for (const { type, at } of events) {
    const messageId = randomUUID();
    ids.push(messageId);
    await sql(env.databaseUrl, 'insert into timeline.order_events (order_id, message_id, type, at, payload) values ($1, $2, $3, $4, $5::jsonb)',
      [orderId, messageId, type, at, JSON.stringify(example(type, orderId))]);
  }
  return ids;
}

const acceptedOrder = async (overrides: Obj = {}) => {
  const answer = await post(anOrder(overrides));
  assert.is(answer.status, 202, answer.text);
  return answer.body.orderId as string;
};

// --- POST /orders --------------------------------------------------------------------

test('an accepted order is stored with its OrderCreated, which is published', async () => {
  const order = anOrder();
  const answer = await post(order);
  assert.is(answer.status, 202, answer.text);
  conforms('/orders', 'post', answer);
  const { orderId } = answer.body;
  assert.is(answer.body.status, 'ACCEPTED');
  assert.is(answer.headers.get('location'), `/orders/${orderId}`);

  const [stored] = await sql<Obj>(env.databaseUrl, 'select customer_id, email, items from api.order_requests where order_id = $1', [orderId]);
  assert.equal(stored, { customer_id: order.customerId, email: order.email, items: order.items });

  const outbox = await outboxOf(orderId);
  assert.is(outbox.length, 1);
  assert.is(outbox[0].message_type, 'OrderCreated');
  assert.is(outbox[0].app_id, 'api');
  assert.equal({ ...outbox[0].payload, createdAt: undefined }, { orderId, customerId: order.customerId, email: order.email, items: order.items, createdAt: undefined });
  assert.ok(Math.abs(Date.parse(outbox[0].payload.createdAt) - Date.now()) < 60_000, 'createdAt is now');
  const logged = await loggedAbout([orderId], 1);
  assert.equal(logged.map((l) => ({ service: l.service, ...l.record, at: undefined })), [{ service: 'api', level: 'info', message: `accepted order ${orderId}`, orderId, at: undefined }]);

  const [published] = await eventually(async () => {
    const found = orders.ofType('OrderCreated').filter((m) => m.body.orderId === orderId);
    return found.length ? found : undefined;
  }, 'OrderCreated published', 10_000);
  assert.is(published.messageId, outbox[0].message_id);
  assert.is(published.correlationId, orderId);
  assert.equal(published.body, outbox[0].payload);
  await eventually(async () => (await sql<Obj>(env.databaseUrl, 'select status from runtime.outbox where message_id = $1', [published.messageId]))[0]?.status === 'sent', 'outbox row marked sent', 5000);
});

test('each invalid order is refused with a problem naming the invalid field, and nothing is stored', async () => {
  const before = await count('api.order_requests');
  const { email: _omitted, ...withoutEmail } = anOrder();
  const cases: Array<[string, Answer, string[]]> = [
    ['missing field', await post(withoutEmail), ['/email']],
    ['unknown top-level field', await post(anOrder({ coupon: 'FREE' })), ['/coupon']],
    ['unknown field in an item', await post(anOrder({ items: [{ productId: 'A1215', quantity: 1 }, { productId: 'A1216', quantity: 1, discount: 5 }] })), ['/items/1/discount']],
    ['quantity 0', await post(anOrder({ items: [{ productId: 'A1215', quantity: 0 }] })), ['/items/0/quantity']],
    ['51 items', await post(anOrder({ items: Array.from({ length: 51 }, () => ({ productId: 'A1215', quantity: 1 })) })), ['/items']],
    ['bad email', await post(anOrder({ email: 'not-an-email' })), ['/email']],
    ['no items', await post(anOrder({ items: [] })), ['/items']],
    ['two problems at once', await post(anOrder({ customerId: '12345', items: [{ productId: 'A1215', quantity: 1.5 }] })), ['/customerId', '/items/0/quantity']],
  ];
  for (const [what, answer, fields] of cases) {
    isProblem(answer, 400, 'validation-error');
    conforms('/orders', 'post', answer);
    assert.equal(fieldsOf(answer).sort(), fields, what);
    for (const e of answer.body.errors) assert.type(e.message, 'string', what);
  }

  const malformed = await post('{"customerId": "3c9a1f2e-7b4d-4e8a-9f61-2a5b7c8d9e10", "items": [');
  isProblem(malformed, 400, 'malformed-body');
  conforms('/orders', 'post', malformed);
  assert.equal(fieldsOf(malformed), ['']);

  const wrongType = await call('/orders', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(anOrder()) });
  isProblem(wrongType, 415, 'unsupported-media-type');

  const huge = await post(anOrder({ email: `${'x'.repeat(70 * 1024)}@example.com` }));
  isProblem(huge, 413, 'body-too-large');

  const badKey = await post(anOrder(), { 'idempotency-key': 'k'.repeat(256) });
  isProblem(badKey, 400, 'validation-error');
  assert.equal(fieldsOf(badKey), ['/Idempotency-Key']);

  assert.is(await count('api.order_requests'), before, 'no refused order was stored');
});

test('the same order repeated with one Idempotency-Key is accepted once', async () => {
  const key = randomUUID();
  const order = anOrder();
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await post(order, { 'idempotency-key': key }));
  for (const a of answers) {
    assert.is(a.status, 202, a.text);
    conforms('/orders', 'post', a);
  }
  const orderId = answers[0].body.orderId;
  assert.ok(answers.every((a) => a.body.orderId === orderId && a.headers.get('location') === `/orders/${orderId}`), 'same orderId and Location');
  // key order in the body does not make it a different order
  const reordered = await post({ items: order.items, email: order.email, customerId: order.customerId }, { 'idempotency-key': key });
  assert.is(reordered.body.orderId, orderId);

  assert.is(await count('api.order_requests', 'customer_id = $1', [order.customerId]), 1);
  assert.is((await outboxOf(orderId)).length, 1);
  await eventually(async () => orders.ofType('OrderCreated').some((m) => m.body.orderId === orderId), 'OrderCreated published', 10_000);
  await everyCopyArrived([orderId]);
  assert.is(orders.ofType('OrderCreated').filter((m) => m.body.orderId === orderId).length, 1);
});

test('ten parallel requests with one Idempotency-Key create exactly one order', async () => {
  const key = randomUUID();
  const order = anOrder();
  const answers = await Promise.all(Array.from({ length: 10 }, () => post(order, { 'idempotency-key': key })));
  const statuses = answers.map((a) => a.status);
  assert.ok(statuses.every((s) => s === 202 || s === 409), `statuses ${statuses}`);
  const accepted = answers.filter((a) => a.status === 202);
  assert.ok(accepted.length >= 1, 'at least one accepted');
  const ids = new Set(accepted.map((a) => a.body.orderId));
  assert.is(ids.size, 1, 'every 202 names the same order');
  for (const a of answers) {
    conforms('/orders', 'post', a);
    if (a.status === 409) isProblem(a, 409, 'idempotency-key-in-use');
  }
  const [orderId] = ids;
  assert.is(await count('api.order_requests', 'customer_id = $1', [order.customerId]), 1);
  assert.is(await count('api.idempotency_keys', 'key = $1', [key]), 1);
  assert.is((await outboxOf(orderId)).length, 1);
});

test('a request whose Idempotency-Key is held by one in flight is answered 409, then accepted', async () => {
  const key = randomUUID();
  const order = anOrder();
  const inFlight = new pg.Client({ connectionString: env.databaseUrl });
  await inFlight.connect();
  try {
    await inFlight.query('begin');
    await inFlight.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    const busy = await post(order, { 'idempotency-key': key });
    isProblem(busy, 409, 'idempotency-key-in-use');
    conforms('/orders', 'post', busy);
    await inFlight.query('commit');
  } finally {
    await inFlight.end();
  }
  const later = await post(order, { 'idempotency-key': key });
  assert.is(later.status, 202, later.text);
  assert.is(await count('api.order_requests', 'customer_id = $1', [order.customerId]), 1);
});

test('an Idempotency-Key reused with a different order is refused with 422', async () => {
  const key = randomUUID();
  const first = await post(anOrder(), { 'idempotency-key': key });
  assert.is(first.status, 202);
  const other = anOrder({ items: [{ productId: 'A1216', quantity: 5 }] });
  const reused = await post(other, { 'idempotency-key': key });
  isProblem(reused, 422, 'idempotency-key-reused');
  conforms('/orders', 'post', reused);
  assert.is(await count('api.order_requests', 'customer_id = $1', [other.customerId]), 0);
  assert.is(await count('api.idempotency_keys', 'key = $1', [key]), 1);
});

// --- orders arriving together share a transaction (group commit) -------------------------

/** How many transactions stored these orders (each row's xmin is the transaction that inserted it). */
const transactionsOf = async (orderIds: readonly string[]) => (await sql<{ n: number }>(env.databaseUrl,
  'select count(distinct xmin::text)::int as n from api.order_requests where order_id = any($1::uuid[])', [orderIds]))[0].n;

/** Requests waiting for a free lane of the api's group commit, as the host's metrics report them. */
const waitingForCommit = async () => (await host.runtime.metrics.registry.getSingleMetric('shop_group_commit_waiting')?.get())
  ?.values.find((v) => v.labels.service === 'api')?.value;

const waitingOnOrders = async () => (await sql<{ n: number }>(env.databaseUrl,
  `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'order_requests' and not l.granted`))[0].n;

/**
 * Holds api.order_requests until the requests `queued` sends wait in the group commit:
 * first every lane of the api's group commit is made to wait on the table with an order
 * of its own, so the queued requests wait for a lane behind them and are committed as
 * one batch once the table is released. Returns the answers of the lanes' orders and of
 * the queued ones, in the order sent.
 */
async function asOneBatch(queued: () => readonly Promise<Answer>[]): Promise<{ blockers: Answer[]; queuedAnswers: Answer[] }> {
  const { lanes, size } = commitOf(apiService(), host.runtime.config);
  const blocker = new pg.Client({ connectionString: env.databaseUrl });
  await blocker.connect();
  const blockers: Promise<Answer>[] = [];
  let answers: Promise<Answer[]>;
  try {
    await blocker.query('begin');
    await blocker.query('lock table api.order_requests in exclusive mode');
    for (let lane = 1; lane <= lanes; lane++) {
      blockers.push(post(anOrder()));
      await eventually(async () => await waitingOnOrders() >= lane, `lane ${lane} of ${lanes} waiting on the table`, 5000, 20);
    }
    const sent = queued();
    answers = Promise.all(sent);
    await eventually(async () => {
      const waiting = await waitingForCommit();
      if (waiting !== sent.length) throw new Error(waiting === undefined ? 'the api reports no shop_group_commit_waiting' : `${waiting} waiting`);
      return true;
    }, `the ${sent.length} queued requests to wait for a lane of the group commit`, 10_000, 20);
    assert.is(await waitingOnOrders(), lanes, `only the lanes' orders wait (batch size ${size})`);
    await blocker.query('commit');
  } finally {
    await blocker.end();
  }
  for (const b of await Promise.all(blockers)) assert.is(b.status, 202, b.text);
  return { blockers: await Promise.all(blockers), queuedAnswers: await answers };
}

test('fifty orders at once are all accepted, each stored and announced once, in fewer transactions than orders', async () => {
  const bodies = Array.from({ length: 50 }, (_, i) => anOrder({ email: `group-${i}@example.com` }));
  const answers = await Promise.all(bodies.map((body, i) => post(body, i % 2 ? { 'idempotency-key': randomUUID() } : {})));
  for (const a of answers) assert.is(a.status, 202, a.text);
  const orderIds = answers.map((a) => a.body.orderId as string);
  assert.is(new Set(orderIds).size, 50, 'distinct order ids');
  const stored = await sql<Obj>(env.databaseUrl, 'select order_id, customer_id from api.order_requests where order_id = any($1::uuid[])', [orderIds]);
  assert.equal(new Map(stored.map((r) => [r.order_id, r.customer_id])), new Map(orderIds.map((id, i) => [id, bodies[i].customerId])), 'each order stored as its request asked');
  const transactions = await transactionsOf(orderIds);
  console.log(`  50 orders at once: ${transactions} transactions`);
  assert.ok(transactions < 50, `${transactions} transactions for 50 orders`);

  const created = await sql<Obj>(env.databaseUrl,
    `select correlation_id from runtime.outbox where message_type = 'OrderCreated' and correlation_id = any($1::text[])`, [orderIds]);
  assert.equal(created.map((r) => r.correlation_id).sort(), [...orderIds].sort(), 'one OrderCreated per order');
  const logged = await loggedAbout(orderIds, 50);
  assert.is(logged.length, 50, 'a log record per order');
  assert.is(new Set(logged.map((l) => l.record.orderId)).size, 50, 'one about each order');
  for (const { service, record } of logged) {
    assert.is(service, 'api');
    assert.match(record.message, `accepted order ${record.orderId}`);
  }

  const published = () => orders.ofType('OrderCreated').filter((m) => orderIds.includes(m.body.orderId));
  await eventually(async () => published().length >= 50, 'every OrderCreated published', 10_000);
  await everyCopyArrived(orderIds);
  assert.is(published().length, 50, 'each published once');
});

test('a batch decides each request as if alone: a key twice in it, a key seen before with the same or another body', async () => {
  const [same, reused] = [randomUUID(), randomUUID()];
  const sameOrder = anOrder();
  const first = await post(sameOrder, { 'idempotency-key': same });
  assert.is(first.status, 202, first.text);
  assert.is((await post(anOrder(), { 'idempotency-key': reused })).status, 202);
  const [twice, twiceOther] = [randomUUID(), randomUUID()];
  const twiceOrder = anOrder();
  const { queuedAnswers: [repeated, reusedAnswer, firstOfTwo, secondOfTwo, firstOfOther, otherBody, plain1, plain2] } = await asOneBatch(() => [
    post(sameOrder, { 'idempotency-key': same }),
    post(anOrder(), { 'idempotency-key': reused }),
    post(twiceOrder, { 'idempotency-key': twice }),
    post(twiceOrder, { 'idempotency-key': twice }),
    post(anOrder(), { 'idempotency-key': twiceOther }),
    post(anOrder(), { 'idempotency-key': twiceOther }),
    post(anOrder()),
    post(anOrder()),
  ]);
  for (const a of [repeated, reusedAnswer, firstOfTwo, secondOfTwo, firstOfOther, otherBody, plain1, plain2]) conforms('/orders', 'post', a);

  assert.is(repeated.status, 202, repeated.text);
  assert.is(repeated.body.orderId, first.body.orderId, 'the order accepted before under that key');
  assert.is((await outboxOf(first.body.orderId)).length, 1, 'announced once, before the batch');
  isProblem(reusedAnswer, 422, 'idempotency-key-reused');
  // within the batch the first with a key proceeds, the second is in flight beside it
  assert.is(firstOfTwo.status, 202, firstOfTwo.text);
  isProblem(secondOfTwo, 409, 'idempotency-key-in-use');
  assert.is(firstOfOther.status, 202, firstOfOther.text);
  isProblem(otherBody, 409, 'idempotency-key-in-use');
  assert.is(await count('api.idempotency_keys', 'key = any($1::text[])', [[twice, twiceOther]]), 2);

  const accepted = [firstOfTwo, firstOfOther, plain1, plain2].map((a) => { assert.is(a.status, 202, a.text); return a.body.orderId as string; });
  assert.is(await transactionsOf(accepted), 1, 'the queued orders were stored in one transaction');
  for (const orderId of accepted) assert.is((await outboxOf(orderId)).length, 1, `one OrderCreated for ${orderId}`);
  assert.is(await count('api.order_requests', 'customer_id = $1', [twiceOrder.customerId]), 1);
});

test('a request the database refuses fails alone: its batch neighbours are accepted', async () => {
  // A check the contract does not know, so that the order passes validation and its insert fails;
  // the sequence (not rolled back) counts the attempts to store it (as the test's user: the api's role has no rights on it).
  await sql(env.databaseUrl, `create sequence api.refused_attempts;
    create function api.refuse_order() returns trigger language plpgsql security definer as $$ begin
      if new.email = 'refused@example.com' then
        perform nextval('api.refused_attempts');
        raise exception 'order of refused@example.com refused' using errcode = 'check_violation';
      end if;
      return new;
    end $$;
    create trigger refuse_order before insert on api.order_requests for each row execute function api.refuse_order()`);
  try {
    const bodies = [anOrder(), anOrder(), anOrder({ email: 'refused@example.com' }), anOrder(), anOrder()];
    const { queuedAnswers } = await asOneBatch(() => bodies.map((b, i) => post(b, i % 2 ? {} : { 'idempotency-key': randomUUID() })));
    const [a, b, refused, c, d] = queuedAnswers;
    isProblem(refused, 500, 'internal-error');
    for (const neighbour of [a, b, c, d]) {
      assert.is(neighbour.status, 202, neighbour.text);
      assert.is((await outboxOf(neighbour.body.orderId)).length, 1);
    }
    assert.is(await count('api.order_requests', `email = 'refused@example.com'`), 0);
    const [{ attempts }] = await sql<{ attempts: string }>(env.databaseUrl, 'select last_value as attempts from api.refused_attempts');
    assert.is(Number(attempts), 2, 'tried with its batch, then alone');
  } finally {
    await sql(env.databaseUrl, 'drop trigger refuse_order on api.order_requests; drop function api.refuse_order(); drop sequence api.refused_attempts');
  }
});

// --- GET /orders/{orderId} -----------------------------------------------------------

test('a just accepted order reads ACCEPTED, its lines not yet priced', async () => {
  const orderId = await acceptedOrder({ items: [{ productId: 'A1216', quantity: 3 }] });
  const answer = await call(`/orders/${orderId}`);
  assert.is(answer.status, 200, answer.text);
  conforms('/orders/{orderId}', 'get', answer);
  assert.is(answer.body.status, 'ACCEPTED');
  assert.equal(answer.body.lines, [{ productId: 'A1216', name: null, quantity: 3, unitPrice: null, lineTotal: null }]);
  assert.is(answer.body.total, null);
  assert.is(answer.body.rejectionReason, null);
  assert.is(answer.body.invoiceId, null);
  assert.equal(answer.body.timeline, []);
});

test('an invoiced order shows its priced lines, total, invoice and timeline in order', async () => {
  const orderId = await acceptedOrder();
  const t0 = Date.now();
  const at = (ms: number) => new Date(t0 + ms);
  // recorded out of order, as the timeline may see them
  const [invoicedId, createdId, paidId, persistedId] = await recordTimeline(orderId, [
    { type: 'InvoiceCreated', at: at(300) },
    { type: 'OrderCreated', at: at(0) },
    { type: 'PaymentSucceeded', at: at(200) },
    { type: 'OrderPersisted', at: at(100) },
  ]);
  const answer = await call(`/orders/${orderId}`);
  assert.is(answer.status, 200, answer.text);
  conforms('/orders/{orderId}', 'get', answer);
  const persisted = example('OrderPersisted', orderId);
  const invoice = example('InvoiceCreated', orderId);
  assert.is(answer.body.status, 'INVOICED');
  assert.equal(answer.body.lines, persisted.lines);
  assert.equal(answer.body.total, persisted.total);
  assert.is(answer.body.invoiceId, invoice.invoiceId);
  assert.is(answer.body.invoiceNumber, invoice.invoiceNumber);
  assert.is(answer.body.rejectionReason, null);
  assert.equal(answer.body.timeline, [
    { type: 'OrderCreated', at: at(0).toISOString(), messageId: createdId },
    { type: 'OrderPersisted', at: at(100).toISOString(), messageId: persistedId },
    { type: 'PaymentSucceeded', at: at(200).toISOString(), messageId: paidId },
    { type: 'InvoiceCreated', at: at(300).toISOString(), messageId: invoicedId },
  ]);
});

test('a rejected order says why, its lines unpriced', async () => {
  const orderId = await acceptedOrder();
  const t0 = Date.now();
  await recordTimeline(orderId, [{ type: 'OrderCreated', at: new Date(t0) }, { type: 'OrderRejected', at: new Date(t0 + 50) }]);
  const answer = await call(`/orders/${orderId}`);
  conforms('/orders/{orderId}', 'get', answer);
  assert.is(answer.body.status, 'REJECTED');
  assert.is(answer.body.rejectionReason, example('OrderRejected', orderId).detail);
  assert.is(answer.body.total, null);
  assert.ok(answer.body.lines.every((l: Obj) => l.unitPrice === null && l.name === null));
});

test('a cancelled order says the payment failed, even before its OrderPersisted is recorded', async () => {
  const orderId = await acceptedOrder();
  const t0 = Date.now();
  await recordTimeline(orderId, [
    { type: 'PaymentFailed', at: new Date(t0 + 200) },
    { type: 'OrderCancelled', at: new Date(t0 + 300) },
  ]);
  let answer = await call(`/orders/${orderId}`);
  conforms('/orders/{orderId}', 'get', answer);
  assert.is(answer.body.status, 'CANCELLED');
  assert.is(answer.body.rejectionReason, `Payment failed: ${example('PaymentFailed', orderId).reason}`);
  assert.is(answer.body.total, null, 'not priced until OrderPersisted is seen');
  await recordTimeline(orderId, [{ type: 'OrderPersisted', at: new Date(t0 + 100) }]);
  answer = await call(`/orders/${orderId}`);
  conforms('/orders/{orderId}', 'get', answer);
  assert.is(answer.body.status, 'CANCELLED');
  assert.equal(answer.body.total, example('OrderPersisted', orderId).total);
  assert.equal(answer.body.timeline.map((e: Obj) => e.type), ['OrderPersisted', 'PaymentFailed', 'OrderCancelled']);
});

test('an unknown order is 404, a malformed id 400 naming /orderId', async () => {
  const missing = await call(`/orders/${randomUUID()}`);
  isProblem(missing, 404, 'order-not-found');
  conforms('/orders/{orderId}', 'get', missing);
  const malformed = await call('/orders/not-a-uuid');
  isProblem(malformed, 400, 'validation-error');
  conforms('/orders/{orderId}', 'get', malformed);
  assert.equal(fieldsOf(malformed), ['/orderId']);
});

// --- catalog, docs, probes -------------------------------------------------------------

test('GET /products lists the catalog ordered by product id', async () => {
  const answer = await call('/products');
  assert.is(answer.status, 200);
  conforms('/products', 'get', answer);
  const products = answer.body.products as Obj[];
  const ids = products.map((p) => p.productId);
  assert.equal(ids, [...ids].sort());
  assert.equal(products.find((p) => p.productId === 'A1215'), { productId: 'A1215', name: 'Trail running shoes', price: { amount: 8999, currency: 'EUR' }, stockOnHand: 1000 });
  assert.is(products.find((p) => p.productId === 'A1216')?.stockOnHand, 1000);
});

test('the contracts are served: Swagger UI, openapi.yaml, asyncapi.yaml', async () => {
  const docs = await call('/docs');
  assert.is(docs.status, 200);
  assert.is(docs.mediaType, 'text/html');
  assert.match(docs.text, /swagger-ui/i);
  const spec = await call('/docs/json');
  assert.is(spec.body.info.title, doc.info.title);
  const asset = await call('/docs/static/swagger-ui-bundle.js');
  assert.is(asset.status, 200, 'Swagger UI assets are served locally');
  const openapi = await call('/openapi.yaml');
  assert.is(openapi.status, 200);
  assert.match(openapi.text, /^openapi: 3\.1\.0/m);
  const asyncapi = await call('/asyncapi.yaml');
  assert.is(asyncapi.status, 200);
  assert.match(asyncapi.text, /^asyncapi: 3\.0\.0/m);
});

test('/events shows the events of the contract: the flow picture and, per event, its channel, senders, receivers and fields', async () => {
  const page = await call('/events');
  assert.is(page.status, 200);
  assert.is(page.mediaType, 'text/html');
  for (const link of ['/docs', '/openapi.yaml', '/asyncapi.yaml']) assert.match(page.text, `href="${link}"`);
  assert.match(page.text, /<svg[^>]*>/);
  for (const [name, route] of Object.entries(messages)) {
    const section = page.text.slice(page.text.indexOf(`<section id="${name}">`), page.text.indexOf('</section>', page.text.indexOf(`<section id="${name}">`)));
    assert.ok(section.length > 0, `a section for ${name}`);
    assert.match(section, `<code>${route.routingKey}</code> on exchange <code>${route.exchange}</code>`);
  }
  const picture = await call('/event-flow.svg');
  assert.is(picture.status, 200);
  assert.is(picture.mediaType, 'image/svg+xml');
  assert.is(picture.text, await readFile(new URL('../generated/event-flow.svg', import.meta.url), 'utf8'));
});

test('health and readiness answer per the contract; unknown routes are 404 problems', async () => {
  const health = await call('/health');
  assert.is(health.status, 200);
  conforms('/health', 'get', health);
  const ready = await call('/ready');
  assert.is(ready.status, 200);
  conforms('/ready', 'get', ready);
  const nowhere = await call('/nowhere');
  isProblem(nowhere, 404, 'not-found');
});

// --- database unreachable (the proxy in front of PostgreSQL is cut) ------------------------

test('with the database unreachable an order is refused with 503 and not stored; a retry later is accepted', async () => {
  const known = await acceptedOrder();
  const before = await count('api.order_requests');
  const key = randomUUID();
  const order = anOrder();
  await proxy.cut();
  try {
    const refused = await post(order, { 'idempotency-key': key });
    isProblem(refused, 503, 'service-unavailable');
    conforms('/orders', 'post', refused);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After');
    // orders arriving together, sharing a transaction, are each refused the same way
    for (const each of await Promise.all(Array.from({ length: 5 }, () => post(anOrder())))) isProblem(each, 503, 'service-unavailable');

    const notReady = await call('/ready');
    assert.is(notReady.status, 503);
    conforms('/ready', 'get', notReady);
    assert.equal(notReady.body.checks, { broker: 'up', database: 'down' });

    const lookup = await call(`/orders/${known}`);
    isProblem(lookup, 503, 'service-unavailable');
    conforms('/orders/{orderId}', 'get', lookup);
  } finally {
    await proxy.restore();
  }
  assert.is(await count('api.order_requests'), before, 'the refused order was not stored');
  assert.is(await count('api.idempotency_keys', 'key = $1', [key]), 0);

  await eventually(async () => (await call('/ready')).status === 200, 'ready again', 10_000);
  const retried = await post(order, { 'idempotency-key': key });
  assert.is(retried.status, 202, retried.text);
  assert.is(await count('api.order_requests', 'customer_id = $1', [order.customerId]), 1);
});

test('with the database read-only (a failover\'s window) an order is refused with 503 and not stored, a lookup still answers, /ready says the database is down', async () => {
  const known = await acceptedOrder();
  const before = await count('api.order_requests');
  const key = randomUUID();
  const order = anOrder();
  // sessions take the setting as they start: ending them (as a failover does) makes the pool's next ones read-only
  const reconnectAll = () => sql(PG_ADMIN_URL, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [env.name]);
  await sql(PG_ADMIN_URL, `alter database "${env.name}" set default_transaction_read_only = on`);
  try {
    await reconnectAll();
    // A lookup that answers ran on a new, read-only session (one the termination reached answers 503),
    // and the pool hands out the connection released last first: the orders below go to read-only sessions.
    await eventually(async () => (await call(`/orders/${known}`)).status === 200, 'a lookup on a read-only session');
    for (let i = 0; i < 5; i++) {
      const refused = await post(order, { 'idempotency-key': key });
      isProblem(refused, 503, 'service-unavailable');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After');
    }
    const notReady = await call('/ready');
    assert.is(notReady.status, 503);
    assert.equal(notReady.body.checks, { broker: 'up', database: 'down' });
  } finally {
    await sql(PG_ADMIN_URL, `alter database "${env.name}" reset default_transaction_read_only`);
    await reconnectAll();
  }
  assert.is(await count('api.order_requests'), before, 'the refused order was not stored');
  await eventually(async () => (await call('/ready')).status === 200, 'ready again', 10_000);
  const retried = await post(order, { 'idempotency-key': key });
  assert.is(retried.status, 202, retried.text);
});

// --- shutdown (last: it stops the host) ------------------------------------------------

test('idempotency keys older than the promised 24 hours are forgotten, younger ones kept', async () => {
  const body = { customerId: randomUUID(), email: 'keys@example.com', items: [{ productId: 'A1215', quantity: 1 }] };
  const [oldKey, newKey] = [`old-${randomUUID()}`, `new-${randomUUID()}`];
  assert.is((await post(body, { 'Idempotency-Key': oldKey })).status, 202);
  assert.is((await post(body, { 'Idempotency-Key': newKey })).status, 202);
  await sql(env.databaseUrl, `update api.idempotency_keys set created_at = now() - interval '25 hours' where key = $1`, [oldKey]);
  assert.is(await forgetOldIdempotencyKeys(host.runtime.db, 1), 1);
  const left = await sql<{ key: string }>(env.databaseUrl, 'select key from api.idempotency_keys where key in ($1, $2)', [oldKey, newKey]);
  assert.equal(left.map((r) => r.key), [newKey]);
});

test('a batch of orders with keys costs four round trips whatever its size: lock the keys, look them up, store orders and keys, commit', async () => {
  const db = await openDatabase({ url: env.databaseUrl, poolMax: 1 });
  try {
    const counting = await countRoundTrips(db);
    const requests = [1, 2, 3].map(() => ({ order: anOrder() as any, idempotencyKey: randomUUID() }));
    const { value, trips } = await counting(() => inTransaction(db, (em) => acceptOrders(em, requests, { record: () => [] })));
    assert.is(trips, 4);
    const ids = value.map((o) => (o.result as { orderId: string }).orderId);
    const keys = await sql<{ key: string; order_id: string }>(env.databaseUrl, `select key, order_id from api.idempotency_keys where order_id = any($1::uuid[])`, [ids]);
    assert.equal(new Map(keys.map((k) => [k.key, k.order_id])), new Map(requests.map((r, i) => [r.idempotencyKey, ids[i]])), 'every order stored with its key');
  } finally {
    await db.close(true);
  }
});

test('stopping lets an order in flight finish with 202 and its OrderCreated published, and accepts no new request', async () => {
  const order = anOrder();
  const blocker = new pg.Client({ connectionString: env.databaseUrl });
  await blocker.connect();
  let inFlight: Promise<Answer>;
  let stopped: Promise<unknown>;
  try {
    // hold the table so the order's insert waits: the request is in flight when stop begins
    await blocker.query('begin');
    await blocker.query('lock table api.order_requests in exclusive mode');
    inFlight = post(order);
    await eventually(async () => (await sql<{ n: number }>(env.databaseUrl,
      `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'order_requests' and not l.granted`))[0].n > 0,
    'the order waiting on the table lock', 5000, 20);
    stopped = host.stop();
    // the order in flight holds the stop: whatever answers now is answered while stopping
    await eventually(async () => {
      const late = await call('/health').then((a) => a.status, (err: Error) => err.message);
      if (late === 200) throw new Error('/health answered 200');
      return true;
    }, 'no new request served while stopping', 5000, 20);
    await blocker.query('commit');
  } finally {
    await blocker.end();
  }
  const answer = await inFlight;
  assert.is(answer.status, 202, answer.text);
  await stopped;
  assert.is((await outboxOf(answer.body.orderId))[0]?.message_type, 'OrderCreated');
  await eventually(async () => orders.ofType('OrderCreated').some((m) => m.body.orderId === answer.body.orderId), 'OrderCreated published before the host stopped', 5000);
});

test.run();
