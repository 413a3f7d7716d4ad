// test-time-limit: 150s
// test-lock: all-services (every service at once: two such files together come near PostgreSQL's 100 connections)
// THREADS=2: one process (runtime/main.ts, as `npm start` runs it) runs the order's own path
// on its main thread and what follows an order's outcome on a second thread
// (runtime/service-thread.ts), and answers for both. One pid logs both hosts' start and
// stop; /metrics shows each series once, the threads' series of the same labels added up
// and the database-wide gauges taken once; /ready turns 503 while a broker connection of
// the second thread is down, and 200 when it is back; one SIGTERM stops both, exit 0.
// (A thread that fails ends the process: test/process.fault.spec.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createTestEnv, eventually, management, type TestEnv } from './support/env.ts';
import { freePort, startSmtpServer, type TestSmtpServer } from './support/smtp.ts';
import { addProduct, emailsSent, pipelineIdle, postOrder } from './support/shop.ts';
import { serviceNodeFlags, serviceStartEnv } from './support/start-command.ts';
import { threadsOf } from '../handlers/index.ts';

const ROOT = path.join(import.meta.dirname, '..');
const ORDERS = 3;

let env: TestEnv;
let smtp: TestSmtpServer;
let apiUrl: string;
let main: ChildProcessByStdio<null, Readable, null>;
let exit: Promise<number | null>;
let stdout = '';

const logLines = () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);

test.before(async () => {
  env = await createTestEnv('threads');
  smtp = await startSmtpServer();
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  main = spawn(process.execPath, [...serviceNodeFlags(), path.join(ROOT, 'runtime', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env, ...serviceStartEnv(), AMQP_URL: env.amqpUrl, DATABASE_URL: env.databaseUrl, SMTP_URL: smtp.url, PORT: String(port),
      THREADS: '2', LOG_LEVEL: 'info', LOG_FORMAT: 'json', PAYMENT_FAILURE_RATE: '0', PAYMENT_LATENCY_MS: '0', ORDER_RATE_LIMIT_MAX: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  main.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
  exit = new Promise((resolve) => main.once('exit', (code) => resolve(code)));
  await eventually(async () => {
    if (main.exitCode !== null) throw new Error(`runtime/main.ts exited with ${main.exitCode} while starting`);
    return (await fetch(`${apiUrl}/ready`).catch(() => undefined))?.status === 200;
  }, 'the process ready', 60_000, 200);
});

test.after(async () => {
  main?.kill('SIGKILL');
  await smtp?.close();
  await env?.cleanup();
});

test('one process, two hosts: each thread logs its start under the same pid', async () => {
  // log lines go out in chunks, at the latest a second after they are written, each thread
  // its own: the order on stdout is the order of the flushes, so the lines' times tell
  const started = await eventually(async () => {
    const lines = logLines().filter((l) => l.msg === 'started');
    return lines.length >= 2 && lines;
  }, 'two "started" lines', 10_000);
  const inStartOrder = started.toSorted((a, b) => Date.parse(a.time) - Date.parse(b.time));
  assert.equal(inStartOrder.map((l) => l.services), threadsOf('all', 2).reverse(), 'the second thread starts first, then the main thread');
  assert.equal(started.map((l) => l.pid), [main.pid, main.pid]);
});

test('/metrics: both threads\' series, each once; same labels add up; database-wide gauges once', async () => {
  await addProduct(env.databaseUrl, 'THREADS1', 100);
  for (let i = 0; i < ORDERS; i += 1) {
    const res = await postOrder(apiUrl, { customerId: '1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30', email: `threads-${i}@example.com`, items: [{ productId: 'THREADS1', quantity: 1 }] });
    assert.is(res.status, 202, await res.text());
  }
  await pipelineIdle(env.databaseUrl);
  await emailsSent(env.databaseUrl);
  assert.is(smtp.mails.length, ORDERS * 2, 'a confirmation and an invoice per order');

  // payment on the main thread, the e-mails and the timeline on the second; the timeline
  // handles each order's created, persisted, paid and invoiced
  const expected = { payment: ORDERS, 'order-confirmation-email': ORDERS, 'invoice-email': ORDERS, 'order-timeline': ORDERS * 4 };
  const handled = (scraped: string[], service: string) => scraped
    .filter((l) => l.startsWith('shop_messages_total{') && l.includes(`service="${service}"`) && l.includes('outcome="handled"'))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
  let lines: string[] = [];
  const counted = () => Object.fromEntries(Object.keys(expected).map((service) => [service, handled(lines, service)]));
  // a delivery is counted once acked, just after the commit the idle check saw: on a busy
  // machine the last acks can come after the scrape; and the backlog gauges are left out
  // (NaN) of a scrape whose query took over a second
  await eventually(async () => {
    lines = (await (await fetch(`${apiUrl}/metrics`)).text()).split('\n');
    const now = counted();
    if (Object.entries(expected).some(([service, n]) => now[service] < n)) throw new Error(`handled so far: ${JSON.stringify(now)}`);
    const backlog = lines.find((l) => l.startsWith('shop_outbox_pending_rows '));
    if (!Number.isFinite(Number(backlog?.split(' ')[1]))) throw new Error(`the backlog was not read in time: ${backlog}`);
    return true;
  }, 'every handled delivery counted, and the backlog read', 10_000);
  assert.equal(counted(), expected, 'each delivery counted once, both threads\' series added up');
  for (const name of ['shop_messages_total', 'shop_outbox_pending_rows', 'process_resident_memory_bytes']) {
    assert.is(lines.filter((l) => l.startsWith(`# TYPE ${name} `)).length, 1, `one TYPE line for ${name}`);
  }
  assert.equal(lines.filter((l) => l.startsWith('shop_outbox_pending_rows')), ['shop_outbox_pending_rows 0'], 'read once, not once a thread');
  // each thread has a runtime pool of RUNTIME_DB_POOL_MAX (2): the two add up
  assert.ok(lines.includes('shop_db_pool_max{service="runtime"} 4'), lines.filter((l) => l.startsWith('shop_db_pool_max')).join('\n'));
  // the e-mail services run on the second thread: their dispatchers' figures reach the api's /metrics
  assert.ok(lines.some((l) => /^shop_emails_held\{service="order-confirmation-email"\} \d+$/.test(l)), lines.filter((l) => l.startsWith('shop_emails_held')).join('\n'));
});

test('/ready: 503 while a broker connection of the second thread is down, 200 once it is back', async () => {
  const user = 'order-timeline';
  const permissions = `/permissions/${encodeURIComponent(env.vhost)}/${encodeURIComponent(user)}`;
  const granted = await (await management(permissions)).json() as { configure: string; write: string; read: string };
  await management(permissions, { method: 'DELETE' });
  try {
    // the management API lists a new connection after its next statistics pass
    const own = await eventually(async () => {
      const connections = await (await management(`/vhosts/${encodeURIComponent(env.vhost)}/connections`)).json() as { name: string; user: string; client_properties: { connection_name?: string } }[];
      const found = connections.filter((c) => c.user === user);
      return found.length >= 2 && found;
    }, 'order-timeline\'s connections listed', 20_000, 250);
    assert.equal(own.map((c) => c.client_properties.connection_name).sort(), [user, `${user} publishing`], 'order-timeline receives on one connection and publishes on another');
    for (const c of own) await management(`/connections/${encodeURIComponent(c.name)}`, { method: 'DELETE', headers: { 'x-reason': 'threads.int: the second thread\'s broker down' } });
    const down = await eventually(async () => {
      const res = await fetch(`${apiUrl}/ready`);
      return res.status === 503 ? await res.json() as { checks: Record<string, string> } : undefined;
    }, '/ready to answer 503', 20_000, 100);
    assert.equal(down.checks, { broker: 'down', database: 'up' });
  } finally {
    await management(permissions, { method: 'PUT', body: JSON.stringify(granted) });
  }
  await eventually(async () => (await fetch(`${apiUrl}/ready`)).status === 200, '/ready to answer 200 again', 60_000, 200);
});

test('one SIGTERM stops both threads gracefully: exit 0', async () => {
  main.kill('SIGTERM');
  assert.is(await exit, 0);
  const stopped = logLines().filter((l) => l.msg === 'stopped');
  assert.equal(stopped.map((l) => [l.services, l.drained]).sort(), threadsOf('all', 2).map((s) => [s.join(','), true]).sort());
});

test.run();
