// test-time-limit: 120s
// A broker that goes silent instead of refusing, against the real RabbitMQ and PostgreSQL:
// the process's open AMQP connections stop passing anything either way (half-open, as a
// broker host that died or a failover leaves them) while new connections work. Heartbeats
// are the only thing that notices: both sides end the silent connection, the broker gives
// its unacknowledged deliveries back, the process reconnects, and every message has its
// effect once, with no attempt spent. Before the heartbeats do, /ready's probe (a channel
// opened and closed) says the broker is down, and a stop keeps its deadline. A reconnect
// attempt into the silence gives up at AMQP_CONNECT_TIMEOUT_MS: heartbeats begin only once a
// connection is open, so without it the attempt would wait for ever.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { doneOnce, EFFECTS_TABLE, publishOrders, testServices, type Seen } from './support/test-services.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { startHost, type Host } from '../runtime/host.ts';

let env: TestEnv;
let proxy: TcpProxy;
let host: Host | undefined;

test.before(async () => {
  env = await createTestEnv('broker_silence');
  await sql(env.databaseUrl, EFFECTS_TABLE);
  proxy = await startTcpProxy(env.amqpUrl);
});

// A test that failed half way must not leave its process consuming into the next one; nor
// may the connections it silenced: the broker would count their consumers until its own
// heartbeats ended them, and hand them the next test's messages.
test.after.each(async () => {
  await host?.stop();
  host = undefined;
  await proxy.cut();
  await proxy.restore();
});

test.after(async () => {
  await proxy?.close();
  await env?.cleanup();
});

test('the process\'s broker connections go silent under load: heartbeats end them, it reconnects, every effect once with no attempt spent', async () => {
  const seen: Seen[] = [];
  host = await startHost(env.config({ AMQP_URL: proxy.via(env.amqpUrl), AMQP_HEARTBEAT_SECONDS: '1', PREFETCH: '8' }), testServices({ seen, delayMs: 20 }));
  // published straight to the broker, not through the proxy
  const ids = await publishOrders(env.amqpUrl, 40);
  await eventually(async () => seen.length >= 5 && seen, 'the first deliveries');
  const before = proxy.unanswered;
  assert.ok(proxy.stall() > 0, 'the process\'s connections silenced');
  // Without heartbeats the silenced connections would hold their deliveries and publishes for ever.
  await doneOnce(env, ids, seen, 'an effect per order and service after the silence');
  assert.ok(proxy.unanswered > before, 'the process sent into the silence');
  assert.equal(await eventually(async () => { const r = await host!.ready(); return r.broker && r; }, 'ready'), { broker: true, database: true });
});

test('/ready says the broker is down within its probe time while the open connections are silent, long before the heartbeats end them', async () => {
  const seen: Seen[] = [];
  host = await startHost(env.config({ AMQP_URL: proxy.via(env.amqpUrl), AMQP_HEARTBEAT_SECONDS: '30' }), testServices({ seen }));
  assert.equal(await host.ready(), { broker: true, database: true });
  const silenced = proxy.stall();
  const from = Date.now();
  await eventually(async () => !(await host!.ready()).broker, 'the broker reported down');
  const took = Date.now() - from;
  // The heartbeats would take about a minute (two missed 30 s beats) to end them.
  assert.equal(proxy.open, silenced, `the silenced connections are still open ${took} ms later`);
  assert.ok(took < 20_000, `reported down after ${took} ms`);
  assert.equal((await host.ready()).database, true, 'the database is still up');
  const stopping = Date.now();
  await host.stop();
  host = undefined;
  // Cancelling the consumers and closing the channels wait on answers that never come: the stop does not.
  assert.ok(Date.now() - stopping < 30_000, `stopped after ${Date.now() - stopping} ms`);
});

test('new connections go silent too: each reconnect attempt gives up at its deadline, and once the broker answers the process is back with every effect once', async () => {
  const seen: Seen[] = [];
  host = await startHost(env.config({ AMQP_URL: proxy.via(env.amqpUrl), AMQP_HEARTBEAT_SECONDS: '1', AMQP_CONNECT_TIMEOUT_MS: '1000', PREFETCH: '8' }), testServices({ seen, delayMs: 20 }));
  const ids = await publishOrders(env.amqpUrl, 40);
  await eventually(async () => seen.length >= 5 && seen, 'the first deliveries');
  const connections = proxy.stall({ alsoNew: true });
  const accepted = proxy.accepted;
  // Two attempts per connection into the silence: only the first one's giving up lets the second begin.
  await eventually(async () => proxy.accepted >= accepted + 2 * connections, 'a second reconnect attempt per connection after the first went unanswered', 30_000);
  proxy.unstall();
  await doneOnce(env, ids, seen, 'an effect per order and service once the broker answers');
  assert.equal(await eventually(async () => { const r = await host!.ready(); return r.broker && r; }, 'ready'), { broker: true, database: true });
});

test.run();
