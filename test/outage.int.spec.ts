// test-time-limit: 180s
// Outages of the database, against the real broker and PostgreSQL: the error
// classification on real failures, the pool healing after its connections die
// inside transactions (the kysely leak), consumers pausing through an outage
// with no attempt spent and nothing dead-lettered, and a database that goes silent
// instead of refusing (half-open connections, a dead host): queries end at their
// deadline, readiness answers in time, and the work is done once on new connections.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg, { type Pool } from 'pg';
import { createTestEnv, eventually, PG_ADMIN_URL, sql, type TestEnv } from './support/env.ts';
import { publishRaw, queueDepth } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { doneOnce, EFFECTS_TABLE, publishOrders, testServices, type Seen } from './support/test-services.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { REACHABLE_WITHIN_MS } from '../runtime/readiness.ts';
import { ANSWER_MARGIN_MS, DatabaseNotAnsweringError } from '../runtime/answer-deadline.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { classifyFailure, DependencyUnavailableError } from '../runtime/errors.ts';

let env: TestEnv;
let proxy: TcpProxy;
let db: Database | undefined;
let host: Host | undefined;

test.before(async () => {
  env = await createTestEnv('outage');
  await sql(env.databaseUrl, EFFECTS_TABLE);
  proxy = await startTcpProxy(env.databaseUrl);
});

test.after(async () => {
  await proxy?.restore();
  await host?.stop();
  await db?.close();
  await proxy?.close();
  await env?.cleanup();
});

const pool = async (d: Database) => (await d.em.getConnection().getNativeClient()) as unknown as Pool;
const backendsOf = async (name: string, query: string) => (await sql<{ pid: number }>(env.databaseUrl,
  `select pid from pg_stat_activity where datname = $1 and query like $2 and pid <> pg_backend_pid()`, [name, query])).map((r) => r.pid);

test('bad data is permanent, a terminated backend is infrastructure (real errors)', async () => {
  db = await openDatabase({ url: env.databaseUrl, poolMax: 3 });
  const bad = await db.em.fork().execute(`select 'urn:uuid:1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30'::uuid`).catch((e: unknown) => e);
  assert.is(classifyFailure(bad), 'permanent', String(bad));
  const sleeping = db.em.fork().execute('select pg_sleep(30)').catch((e: unknown) => e);
  const [pid] = await eventually(async () => { const p = await backendsOf(env.name, '%pg_sleep(30)%'); return p.length ? p : undefined; }, 'the sleeping backend');
  await sql(env.databaseUrl, 'select pg_terminate_backend($1)', [pid]);
  const terminated = await sleeping;
  assert.instance(terminated, Error);
  assert.is(classifyFailure(terminated), 'infrastructure', String(terminated));
});

test('connections that die inside transactions go back to the pool: it heals', async () => {
  // A pool of its own: the previous test's killed connection may still sit idle in the old pool
  // for a moment (pg notices the closed socket a little after the error), and would be handed out here.
  await db?.close();
  db = await openDatabase({ url: env.databaseUrl, poolMax: 3 });
  // Three transactions hold every connection of the pool when their backends are killed.
  const transactions = Array.from({ length: 3 }, () => db!.em.fork().transactional((em) => em.execute('select pg_sleep(30)')).catch((e: unknown) => e));
  const pids = await eventually(async () => { const p = await backendsOf(env.name, '%pg_sleep(30)%'); return p.length === 3 ? p : undefined; }, 'three sleeping transactions');
  await sql(env.databaseUrl, 'select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
  for (const outcome of await Promise.all(transactions)) assert.is(classifyFailure(outcome), 'infrastructure', String(outcome));
  const p = await pool(db);
  // With kysely 0.29.6 the three clients stayed checked out for ever (totalCount 3, idleCount 0).
  await eventually(async () => p.totalCount === p.idleCount, 'no connection left checked out', 5000);
  const answers = await Promise.all(Array.from({ length: 6 }, () => db!.em.fork().execute('select 1 as one')));
  assert.is(answers.length, 6);
  // And a transaction left waiting (none should ever wait on the outside world) is ended by the server.
  assert.equal(await db.em.fork().execute('show idle_in_transaction_session_timeout'), [{ idle_in_transaction_session_timeout: '1min' }]);
  assert.ok(p.totalCount <= 3, `pool size ${p.totalCount}`);
});

test('a database outage under load pauses the consumers: no attempt spent, nothing dead-lettered, one effect each', async () => {
  await db?.close();
  db = undefined;
  const seen: Seen[] = [];
  // Retries are short (100 ms, 300 ms, 3 attempts) and the outage far longer: a consumer that took
  // the outage for the message's failure would dead-letter it.
  host = await startHost(env.config({ DATABASE_URL: proxy.via(env.databaseUrl), PREFETCH: '8' }), testServices({ seen, delayMs: 30 }));
  const ids = await publishOrders(env.amqpUrl, 40);
  await eventually(async () => seen.length >= 5 && seen, 'the first deliveries');
  await proxy.cut();
  const payment = host.consumers.get('payment')!;
  const pausedAt = await eventually(async () => payment.paused && Date.now(), 'payment pausing', 15_000);
  // held on purpose: the outage outlasts every retry (100 + 300 ms), so spending attempts on it would dead-letter
  await new Promise((r) => setTimeout(r, 2000));
  assert.ok(payment.paused, 'still paused while the database is unreachable');
  await proxy.restore();
  await eventually(async () => !payment.paused, 'payment resuming', 15_000);
  const effects = async () => sql<{ service: string; order_id: string; n: number }>(env.databaseUrl,
    'select service, order_id::text, count(*)::int as n from public.test_effects group by 1, 2');
  const rows = await eventually(async () => { const r = await effects(); return r.length === ids.length * 2 ? r : undefined; },
    'an effect per order and service', 30_000);
  assert.ok(rows.every((r) => r.n === 1), `every effect once: ${JSON.stringify(rows.filter((r) => r.n !== 1))}`);
  assert.ok(seen.every((s) => s.attempt === 1), `no attempt spent: ${JSON.stringify(seen.filter((s) => s.attempt !== 1))}`);
  for (const q of ['payment.dlq', 'invoice.dlq']) assert.is(await queueDepth(env.amqpUrl, q), 0, q);
  assert.equal(await host.ready(), { broker: true, database: true });
  assert.ok(Date.now() - pausedAt > 2000);
});

test('an outside dependency down for longer than every retry: the message waits without spending an attempt, then succeeds once', async () => {
  const seen: Seen[] = [];
  const failFor = new Map<string, Error>();
  await host?.stop();
  host = await startHost(env.config({ RETRY_DELAYS_MS: '100,200' }), testServices({ seen, failFor }).slice(0, 1));
  const order = example('OrderPersisted');
  failFor.set(order.orderId, new DependencyUnavailableError(`payment gateway answered 503 for ${order.orderId}`));
  await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
  // Three attempts with 100 and 200 ms between them would be spent in well under a second.
  await eventually(async () => seen.filter((s) => s.orderId === order.orderId).length >= 6 && true, 'six tries during the outage', 15_000);
  failFor.delete(order.orderId);
  await eventually(async () => (await sql(env.databaseUrl, 'select 1 from public.test_effects where order_id = $1', [order.orderId])).length === 1,
    'the payment once the dependency is back');
  const tries = seen.filter((s) => s.orderId === order.orderId);
  assert.ok(tries.every((s) => s.attempt === 1), `attempts: ${tries.map((s) => s.attempt).join(',')}`);
  assert.is(await queueDepth(env.amqpUrl, 'payment.dlq'), 0);
});

test('backends terminated as soon as they start, again and again: each connect or query fails or succeeds, and the process goes on (a termination read with the connect\'s last answer was an \'error\' event nobody listened to)', async () => {
  db = await openDatabase({ url: env.databaseUrl, poolMax: 4 });
  const killer = new pg.Client({ connectionString: PG_ADMIN_URL });
  await killer.connect();
  let stop = false;
  let killed = 0;
  const killing = (async () => {
    while (!stop) {
      const { rows: [row] } = await killer.query<{ n: number }>(
        'select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [env.name]);
      killed += row!.n;
    }
  })();
  let answered = 0;
  let failed = 0;
  try {
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      await Promise.all(Array.from({ length: 4 }, () => db!.em.fork().execute('select 1').then(() => answered++, () => failed++)));
    }
  } finally {
    stop = true;
    await killing;
    await killer.end();
  }
  assert.ok(killed > 0 && failed > 0, `backends terminated: ${killed}, queries failed: ${failed}, answered: ${answered}`);
  assert.equal(await eventually(async () => db!.em.fork().execute('select 2 as two').catch(() => undefined), 'an answer once the terminations stop'), [{ two: 2 }]);
  await db.close();
  db = undefined;
});

test('a query its server never answers, new connections silent too, ends its connection a margin after the statement timeout: an infrastructure error; once the server answers, the abandoned session is ended on it and the pool goes on', async () => {
  await host?.stop();
  host = undefined;
  await db?.close();
  db = await openDatabase({ url: proxy.via(env.databaseUrl), poolMax: 2, statementTimeoutMs: 1000 });
  assert.equal(await db.em.fork().execute('select 1 as one'), [{ one: 1 }]);
  const sessions = await backendsOf(env.name, '%');
  const before = proxy.unanswered;
  // nothing reaches the server, so nothing can ask it about the session: only the deadline ends the wait
  assert.ok(proxy.stall({ alsoNew: true }) >= 1, 'the pool\'s connection is silenced');
  const started = Date.now();
  const failure = await db.em.fork().execute('select 2 as two').catch((e: unknown) => e);
  const waited = Date.now() - started;
  assert.ok(proxy.unanswered > before, 'the query went into the silence');
  // MikroORM rethrows it as a DriverException with the original's own properties: its code says what it was
  assert.is((failure as { code?: unknown }).code, new DatabaseNotAnsweringError('').code, String(failure));
  assert.match(String(failure), `did not answer a select within ${1000 + ANSWER_MARGIN_MS} ms`);
  assert.is(classifyFailure(failure), 'infrastructure');
  // a timer never fires early; how late it fires is the machine's business
  assert.ok(waited >= 1000 + ANSWER_MARGIN_MS - 20, `gave up after ${waited} ms`);
  proxy.unstall();
  // not idle in a transaction, the server would keep that session (and a transaction's locks) until told
  await eventually(async () => (await backendsOf(env.name, '%')).every((pid) => !sessions.includes(pid)), 'the abandoned session ended on the server', 15_000);
  const p = await pool(db);
  await eventually(async () => p.totalCount === p.idleCount, 'no connection left checked out', 5000);
  assert.equal(await db.em.fork().execute('select 3 as three'), [{ three: 3 }], 'a new connection answers');
  await db.close();
  db = undefined;
});

test('an answer lost on its way (the server answered, the path did not pass it on) ends its query as soon as the server says the session sat idle, long before the deadline; the session is ended on the server and its locks go with it', async () => {
  // a deadline (65 s) past the test's waits: only the server's word can end the query in time
  db = await openDatabase({ url: proxy.via(env.databaseUrl), poolMax: 2, statementTimeoutMs: 60_000 });
  const failure = await db.em.fork().transactional(async (em) => {
    await em.execute('select pg_advisory_xact_lock(4242)');
    assert.ok(proxy.stall() >= 1, 'the transaction\'s connection is silenced');
    await em.execute('select 2 as two');
  }).catch((e: unknown) => e);
  assert.is((failure as { code?: unknown }).code, new DatabaseNotAnsweringError('').code, String(failure));
  assert.match(String(failure), 'whose answer never arrived');
  assert.is(classifyFailure(failure), 'infrastructure');
  const [lock] = await sql<{ free: boolean }>(env.databaseUrl, 'select pg_try_advisory_lock(4242) as free');
  assert.ok(lock?.free, 'the abandoned transaction\'s lock is released');
  assert.equal(await db.em.fork().execute('select 3 as three'), [{ three: 3 }], 'a new connection answers');
  await db.close();
  db = undefined;
});

test('a query that runs long is left to run: the server says its session is busy, not idle', async () => {
  db = await openDatabase({ url: env.databaseUrl, poolMax: 1, statementTimeoutMs: 60_000 });
  const started = Date.now();
  // past the time a query is asked about (2 s) and then some: asked about at least twice
  assert.equal(await db.em.fork().execute('select pg_sleep(4.5)::text as slept'), [{ slept: '' }]);
  assert.ok(Date.now() - started >= 4500);
  await db.close();
  db = undefined;
});

test('connections left half-open under load (a failover, a dead host): each stalled transaction ends when the server says its session sat idle, and its deliveries are done once, on new connections, with no attempt spent', async () => {
  const seen: Seen[] = [];
  // a deadline (65 s) past doneOnce's wait: only the server's word ends the stalled transactions in time
  host = await startHost(env.config({ DATABASE_URL: proxy.via(env.databaseUrl), DB_STATEMENT_TIMEOUT_MS: '60000', PREFETCH: '8' }), testServices({ seen, delayMs: 30 }));
  const ids = await publishOrders(env.amqpUrl, 40);
  await eventually(async () => seen.length >= 5 && seen, 'the first deliveries');
  const before = proxy.unanswered;
  assert.ok(proxy.stall() > 0, 'open connections silenced');
  // Without the deadline the stalled transactions wait for ever, and so do their deliveries.
  await doneOnce(env, ids, seen, 'an effect per order and service');
  assert.ok(proxy.unanswered > before, 'something waited on a silenced connection');
  assert.equal(await host.ready(), { broker: true, database: true });
  await host.stop();
  host = undefined;
});

test('a database that stops answering altogether: readiness says so within its probe time, and the work waiting on it is done once when it answers again', async () => {
  const seen: Seen[] = [];
  // a deadline (10 s) well past the probe's time, so that only the probe's own limit can answer in time
  host = await startHost(env.config({ DATABASE_URL: proxy.via(env.databaseUrl), DB_STATEMENT_TIMEOUT_MS: '5000', PREFETCH: '8' }), testServices({ seen }));
  assert.equal(await host.ready(), { broker: true, database: true });
  proxy.stall({ alsoNew: true });
  const ids = await publishOrders(env.amqpUrl, 20);
  const started = Date.now();
  const readiness = await host.ready();
  const took = Date.now() - started;
  assert.equal(readiness, { broker: true, database: false });
  assert.ok(took >= REACHABLE_WITHIN_MS - 20 && took < 5000 + ANSWER_MARGIN_MS, `readiness answered after ${took} ms`);
  await eventually(async () => host!.consumers.get('payment')!.paused, 'payment pausing', 30_000);
  proxy.unstall();
  await doneOnce(env, ids, seen, 'an effect per order and service once the database answers');
  await eventually(async () => { const r = await host!.ready(); return r.database && r; }, 'ready again', 30_000);
});

test('a lock another session holds past lock_timeout (an abandoned transaction on a half-open connection): its messages wait with no attempt spent, the consumer goes on, and they are done once when it ends', async () => {
  await host?.stop();
  const seen: Seen[] = [];
  // lock_timeout is half of it: 1 s
  host = await startHost(env.config({ DB_STATEMENT_TIMEOUT_MS: '2000' }), testServices({ seen }));
  const holder = new pg.Client({ connectionString: env.databaseUrl });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('lock table public.test_effects in exclusive mode');
    const ids = await publishOrders(env.amqpUrl, 10);
    await eventually(async () => seen.filter((s) => s.service === 'payment').length > ids.length && seen, 'payment trying again after a lock timeout');
    // held on purpose: longer than every retry (100 + 300 ms), so a lock wait counted against the messages would dead-letter them
    await new Promise((r) => setTimeout(r, 3000));
    assert.not.ok(host.consumers.get('payment')!.paused, 'a held lock is not an outage: the consumer goes on');
    assert.is(await queueDepth(env.amqpUrl, 'payment.dlq'), 0, 'nothing dead-lettered while the lock is held');
    await holder.query('rollback');
    await doneOnce(env, ids, seen, 'an effect per order and service once the lock is released');
  } finally {
    await holder.end();
  }
});

test('a database that turns read-only (a failover\'s standby or demoted primary): consumers pause with no attempt spent and readiness says so; once writable, every effect once', async () => {
  await host?.stop();
  const seen: Seen[] = [];
  host = await startHost(env.config(), testServices({ seen }));
  const reconnectAll = () => sql(PG_ADMIN_URL, 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [env.name]);
  await sql(PG_ADMIN_URL, `alter database "${env.name}" set default_transaction_read_only = on`);
  try {
    await reconnectAll(); // sessions take the setting as they start: the pools' next connections are read-only
    const ids = await publishOrders(env.amqpUrl, 10);
    await eventually(async () => host!.consumers.get('payment')!.paused, 'payment pausing');
    assert.equal(await host.ready(), { broker: true, database: false }, 'a database that cannot take writes is not ready');
    // held on purpose: longer than every retry (100 + 300 ms), so a failure counted against the messages would dead-letter them
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(host.consumers.get('payment')!.paused, 'still paused while read-only');
    assert.is(await queueDepth(env.amqpUrl, 'payment.dlq'), 0, 'nothing dead-lettered while read-only');
    await sql(PG_ADMIN_URL, `alter database "${env.name}" reset default_transaction_read_only`);
    await reconnectAll();
    await doneOnce(env, ids, seen, 'an effect per order and service once writable');
    await eventually(async () => { const r = await host!.ready(); return r.database && r; }, 'ready again');
  } finally {
    await sql(PG_ADMIN_URL, `alter database "${env.name}" reset default_transaction_read_only`);
  }
});

test.run();
