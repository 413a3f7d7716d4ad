// test-lock: all-services (every service at once: two such files together come near PostgreSQL's 100 connections)
// The whole system over HTTP, in both run modes: every service in one process, as
// `npm start` runs it (its Node flags, two threads), and one process per service with
// two payment replicas. 200 orders with deterministic
// payment outcomes each reach the expected terminal state; stock, e-mails (at a real
// SMTP server) and invoices add up exactly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { freePort, startSmtpServer, type TestSmtpServer } from './support/smtp.ts';
import { emailsSent, pipelineIdle, postOrder } from './support/shop.ts';
import { serviceNodeFlags, serviceStartEnv } from './support/start-command.ts';
import { serviceQueuesUnread } from './support/amqp.ts';
import { paymentOutcome } from '../handlers/payment/index.ts';
import { startPaymentProvider } from '../simulators/payment-provider/server.ts';
import { serviceNames } from '../generated/registry.ts';

const ORDERS = Number(process.env.E2E_ORDERS ?? 200);
const SEED = 'e2e-seed';
const FAILURE_RATE = '0.3';
const MAIN = path.join(import.meta.dirname, '..', 'runtime', 'main.ts');

interface Item { productId: string; quantity: number }
interface Placed { orderId: string; email: string; items: Item[]; expected: 'INVOICED' | 'CANCELLED' | 'REJECTED' }
type Catalog = Map<string, { price: number; stock: number }>;

function orderItems(i: number): { items: Item[]; rejected: boolean } {
  if (i % 17 === 3) return { items: [{ productId: 'A1215', quantity: 1 }, { productId: 'Z9999', quantity: 1 }], rejected: true };
  if (i % 19 === 5) return { items: [{ productId: 'D4001', quantity: 1000 }, { productId: 'A1216', quantity: 1 }], rejected: true };
  const items: Item[] = [{ productId: 'A1215', quantity: 1 + (i % 3) }];
  if (i % 2 === 0) items.push({ productId: 'A1216', quantity: 1 + (i % 2) });
  if (i % 3 === 0) items.push({ productId: 'C3001', quantity: 1 });
  if (i % 5 === 0) items.push({ productId: 'B2001', quantity: 1 });
  return { items, rejected: false };
}

async function json(res: Response): Promise<any> {
  const body = await res.text();
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`${res.status} ${body.slice(0, 200)}`);
  }
}

async function catalog(apiUrl: string): Promise<Catalog> {
  const { products } = await json(await fetch(`${apiUrl}/products`));
  return new Map(products.map((p: any) => [p.productId, { price: p.price.amount, stock: p.stockOnHand }]));
}

async function placeOrders(apiUrl: string, tag: string): Promise<Placed[]> {
  const placed: Placed[] = [];
  const indices = Array.from({ length: ORDERS }, (_, i) => i);
  for (let start = 0; start < indices.length; start += 20) {
    await Promise.all(indices.slice(start, start + 20).map(async (i) => {
      const { items, rejected } = orderItems(i);
      const email = `customer-${tag}-${i}@example.com`;
      const res = await postOrder(apiUrl, { customerId: '1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30', email, items }, { 'idempotency-key': `${tag}-${i}` });
      assert.is(res.status, 202, `order ${i} accepted`);
      const { orderId } = await json(res);
      const expected = rejected ? 'REJECTED' : paymentOutcome(orderId, SEED, Number(FAILURE_RATE)) === 'SUCCEEDED' ? 'INVOICED' : 'CANCELLED';
      placed.push({ orderId, email, items, expected });
    }));
  }
  return placed;
}

const money = (minor: number) => `${(minor / 100).toFixed(2)} EUR`;
const short = (orderId: string) => orderId.slice(0, 8);

async function checkOutcome(apiUrl: string, databaseUrl: string, smtp: TestSmtpServer, before: Catalog, placed: Placed[]): Promise<void> {
  const states = new Map<string, any>();
  await eventually(async () => {
    for (const o of placed) {
      if (states.get(o.orderId)?.status === o.expected) continue;
      const order = await json(await fetch(`${apiUrl}/orders/${o.orderId}`));
      states.set(o.orderId, order);
    }
    return placed.every((o) => states.get(o.orderId)?.status === o.expected);
  }, 'every order in its expected terminal state', 180_000, 500);

  const paid = placed.filter((o) => o.expected === 'INVOICED');
  const cancelled = placed.filter((o) => o.expected === 'CANCELLED');
  const rejected = placed.filter((o) => o.expected === 'REJECTED');
  assert.ok(paid.length > 0 && cancelled.length > 0 && rejected.length > 0, `a mix of outcomes (${paid.length}/${cancelled.length}/${rejected.length})`);

  // Stock: initial minus the lines of the orders that stayed sold.
  const after = await catalog(apiUrl);
  for (const [productId, { stock }] of before) {
    const sold = paid.flatMap((o) => o.items).filter((i) => i.productId === productId).reduce((n, i) => n + i.quantity, 0);
    assert.is(after.get(productId)!.stock, stock - sold, `stock of ${productId}`);
  }

  // E-mails: exactly the ones each outcome calls for, once each.
  const expectedMails = paid.length * 2 + cancelled.length + rejected.length;
  await eventually(async () => smtp.mails.length >= expectedMails, `${expectedMails} e-mails (have ${smtp.mails.length})`, 60_000, 250);
  // Every event that queues an e-mail handled, and every queued e-mail sent (a row is marked sent
  // once the SMTP server took its mail): a second mail of any would be at the server by now.
  await pipelineIdle(databaseUrl);
  await emailsSent(databaseUrl, 60_000);
  assert.is(smtp.mails.length, expectedMails, 'no e-mail sent twice');
  for (const o of placed) {
    const mails = smtp.to(o.email);
    const subjects = mails.map((m) => m.subject ?? '').sort();
    const total = o.items.reduce((n, i) => n + (before.get(i.productId)?.price ?? 0) * i.quantity, 0);
    if (o.expected === 'INVOICED') {
      assert.is(mails.length, 2, `${o.email}: confirmation and invoice`);
      assert.ok(subjects.some((s) => s === `Thank you for your order ${short(o.orderId)}`), subjects.join(' | '));
      const invoice = mails.find((m) => m.subject?.startsWith('Invoice '));
      assert.ok(invoice, `${o.email}: invoice mail`);
      assert.match(invoice!.subject!, new RegExp(`^Invoice INV-\\d{4}-\\d{6,} for your order ${short(o.orderId)}$`));
      assert.match(invoice!.text ?? '', money(total));
      assert.is(states.get(o.orderId).total.amount, total, `${o.orderId} total`);
    } else if (o.expected === 'CANCELLED') {
      assert.equal(subjects, [`Your order ${short(o.orderId)} was cancelled`]);
      assert.match(mails[0].text ?? '', money(total));
    } else {
      assert.equal(subjects, [`We could not accept your order ${short(o.orderId)}`]);
    }
    for (const m of mails) assert.equal(m.envelope.to, [o.email]);
  }

  // One invoice per paid order, numbered uniquely.
  const invoices = await sql<{ order_id: string; invoice_number: string }>(databaseUrl, 'select order_id, invoice_number from invoice.invoices');
  assert.is(invoices.length, paid.length);
  assert.equal(new Set(invoices.map((i) => i.order_id)), new Set(paid.map((o) => o.orderId)));
  assert.is(new Set(invoices.map((i) => i.invoice_number)).size, invoices.length);
  const [{ n: dead }] = await sql<{ n: number }>(databaseUrl, `select count(*)::int as n from runtime.outbox where status <> 'sent'`);
  assert.is(dead, 0, 'every event published');
}

async function scenario(label: string, start: (env: TestEnv, smtp: TestSmtpServer, apiPort: number) => Promise<{ apiUrl: string; stop: () => Promise<void> }>) {
  const env = await createTestEnv(label);
  const smtp = await startSmtpServer();
  let stop: (() => Promise<void>) | undefined;
  let failed = false;
  try {
    const started = await start(env, smtp, await freePort());
    stop = started.stop;
    await eventually(async () => (await fetch(`${started.apiUrl}/ready`)).status === 200, 'api ready', 60_000, 250);
    // The api can be ready long before the other processes of the split run on a busy
    // machine; orders posted meanwhile would pile up past the admission limit.
    await eventually(async () => {
      const unread = await serviceQueuesUnread(env.amqpUrl);
      if (unread.length) throw new Error(`no consumer yet on ${unread.join(', ')}`);
      return true;
    }, 'every service consuming', 60_000, 250);
    const before = await catalog(started.apiUrl);
    const placed = await placeOrders(started.apiUrl, label);
    await checkOutcome(started.apiUrl, env.databaseUrl, smtp, before, placed);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // Everything is closed whatever happened; a failed stop is the test's failure only when
    // nothing failed before it (it must not hide the first failure).
    const stopFailure = await stop?.().then(() => undefined, (err: unknown) => err);
    await smtp.close();
    await env.cleanup();
    if (stopFailure && !failed) throw stopFailure;
    if (stopFailure) console.error('and stopping the system failed too:', (stopFailure as Error).message);
  }
}

function settings(env: TestEnv, smtp: TestSmtpServer, apiPort: number): Record<string, string> {
  return {
    AMQP_URL: env.amqpUrl, DATABASE_URL: env.databaseUrl, SMTP_URL: smtp.url, PORT: String(apiPort),
    PAYMENT_SEED: SEED, PAYMENT_FAILURE_RATE: FAILURE_RATE, PAYMENT_LATENCY_MS: '5',
    RETRY_DELAYS_MS: '200,1000', RELAY_POLL_MS: '200', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    // 200 orders from one address, faster than a client may post them
    ORDER_RATE_LIMIT_MAX: '0',
  };
}

test('all-in-one, as npm start runs it (two threads): 200 orders reach their terminal states; stock, e-mails and invoices add up', async () => {
  await scenario('e2e_all', async (env, smtp, apiPort) => {
    const main = fork(MAIN, [], {
      execArgv: serviceNodeFlags(),
      env: { ...process.env, ...serviceStartEnv(), ...settings(env, smtp, apiPort), THREADS: '2' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exit = new Promise<number | null>((resolve) => main.once('exit', (code) => resolve(code)));
    return {
      apiUrl: `http://127.0.0.1:${apiPort}`,
      stop: async () => {
        main.kill('SIGTERM');
        assert.is(await exit, 0, 'the process stops cleanly on SIGTERM');
      },
    };
  });
});

test('one process per service, two payment replicas sharing one card processor (as compose runs it): the same 200-order run adds up', async () => {
  // One processor for both replicas, as in compose: a redelivery to the other replica must find the first charge.
  const processor = await startPaymentProvider({
    port: 0, settings: { latencyMs: 5, failureRate: Number(FAILURE_RATE), errorRate: 0, timeoutRate: 0, capacity: 0, seed: SEED },
  });
  try {
    await scenario('e2e_split', async (env, smtp, apiPort) => {
      const children: ChildProcess[] = [];
      const names = [...serviceNames, 'payment'];
      for (const name of names) {
        children.push(fork(MAIN, [], {
          env: { ...process.env, ...settings(env, smtp, apiPort), SERVICE: name, HEALTH_PORT: '0', PAYMENT_GATEWAY_URL: processor.url },
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        }));
      }
      const exits = children.map((c) => new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code))));
      return {
        apiUrl: `http://127.0.0.1:${apiPort}`,
        stop: async () => {
          for (const c of children) c.kill('SIGTERM');
          const codes = await Promise.all(exits);
          assert.equal(codes, names.map(() => 0), 'every service process stops cleanly on SIGTERM');
        },
      };
    });
    assert.ok(processor.charges().length > 0, 'the replicas charged through the shared processor');
  } finally {
    await processor.stop();
  }
});

test.run();
