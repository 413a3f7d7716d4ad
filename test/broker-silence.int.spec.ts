// test-time-limit: 120s
// A broker that goes silent instead of refusing, against the real RabbitMQ and PostgreSQL:
// the process's open AMQP connections stop passing anything either way (half-open, as a
// broker host that died or a failover leaves them) while new connections work. Heartbeats
// are the only thing that notices: both sides end the silent connection, the broker gives
// its unacknowledged deliveries back, the process reconnects, and every message has its
// effect once, with no attempt spent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { doneOnce, EFFECTS_TABLE, testServices, type Seen } from './support/test-services.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { startHost, type Host } from '../runtime/host.ts';

let env: TestEnv;
let proxy: TcpProxy;
let host: Host | undefined;

test.before(async () => {
  env = await createTestEnv('broker_silence');
  await sql(env.databaseUrl, EFFECTS_TABLE);
  const broker = new URL(env.amqpUrl);
  proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
});

test.after(async () => {
  await host?.stop();
  await proxy?.close();
  await env?.cleanup();
});

test('the process\'s broker connections go silent under load: heartbeats end them, it reconnects, every effect once with no attempt spent', async () => {
  const seen: Seen[] = [];
  host = await startHost(env.config({ AMQP_URL: proxy.via(env.amqpUrl), AMQP_HEARTBEAT_SECONDS: '1', PREFETCH: '8' }), testServices({ seen, delayMs: 20 }));
  const orders = Array.from({ length: 40 }, () => example('OrderPersisted'));
  const ids = orders.map((o) => o.orderId);
  // published straight to the broker, not through the proxy
  await publishRaw(env.amqpUrl, orders.map((o) => rawEvent('OrderPersisted', o)));
  await eventually(async () => seen.length >= 5 && seen, 'the first deliveries');
  const before = proxy.unanswered;
  assert.ok(proxy.stall() > 0, 'the process\'s connections silenced');
  // Without heartbeats the silenced connections would hold their deliveries and publishes for ever.
  await doneOnce(env, ids, seen, 'an effect per order and service after the silence');
  assert.ok(proxy.unanswered > before, 'the process sent into the silence');
  assert.equal(await eventually(async () => { const r = await host!.ready(); return r.broker && r; }, 'ready'), { broker: true, database: true });
});

test.run();
