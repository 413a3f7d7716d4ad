// test-time-limit: 600s
// test-lock: all-services (every service at once: two such files together come near PostgreSQL's 100 connections)
// Fault suite, the process and its outside world: the whole system SIGKILLed mid-stream
// and started again, its second thread failing mid-stream (the process stops and is
// started again), the SMTP server down for a while, and 300 concurrent orders for a
// stock of 50. Each scenario ends with the shared invariants (test/support/invariants.ts).
import { test } from 'uvu';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FORM, FULL, runScenario } from './support/faults.ts';
import { faultTable, within } from './support/invariants.ts';
import { sql } from './support/env.ts';
import { publishRaw } from './support/amqp.ts';
import * as assert from 'uvu/assert';

const table = faultTable('process.fault.spec.ts', FORM);
const ORDERS = FULL ? 400 : 80;

test.after(() => table.finish());

test('SIGKILL of the whole system mid-stream, then a restart: nothing lost, nothing doubled', async () => {
  table.record('SIGKILL and restart', await runScenario({
    label: 'f_sigkill', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.35,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    fault: async ({ system, notes }) => {
      const pid = system.pid();
      await system.kill();
      await sleep(500);
      const restarted = Date.now();
      await system.start();
      notes.push(`killed pid ${pid}, ready again ${Date.now() - restarted} ms after the restart`);
    },
  }));
});

test('the second thread fails mid-stream: the process stops gracefully and exits 1; started again, nothing lost, nothing doubled', async () => {
  const trigger = path.join(tmpdir(), `fail-second-thread-${randomBytes(4).toString('hex')}`);
  const preload = path.join(import.meta.dirname, 'support', 'fail-second-thread.ts');
  try {
    table.record('second thread fails, restart', await runScenario({
      label: 'f_thread', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.35,
      settings: {
        PAYMENT_FAILURE_RATE: '0.25', THREADS: '2',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(), FAIL_SECOND_THREAD_WHEN: trigger,
      },
      fault: async ({ system, extra, notes }) => {
        const pid = system.pid();
        writeFileSync(trigger, '');
        const code = await within(30_000, `the system (pid ${pid}) to end itself after its thread failed`, system.exited());
        rmSync(trigger);
        const told = system.output().includes('a service thread failed: stopping the process');
        extra.push({ name: 'the process ended itself with exit 1', ok: code === 1 && told, detail: `exit ${code}; ${told ? 'the failure logged' : 'no log line of the failure'}` });
        const restarted = Date.now();
        await system.start();
        notes.push(`pid ${pid} ended on its thread's failure, ready again ${Date.now() - restarted} ms after the restart`);
      },
    }));
  } finally {
    rmSync(trigger, { force: true });
  }
});

test('SMTP server down for 8 s mid-stream: every e-mail arrives once it is back', async () => {
  table.record('SMTP outage', await runScenario({
    label: 'f_smtp', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.2,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    fault: async ({ smtpOutage }) => smtpOutage(FULL ? 20_000 : 8_000),
  }));
});

test('300 concurrent orders for a stock of 50: never oversold, 50 invoiced and 250 rejected', async () => {
  let counts = '';
  table.record('300 orders for a stock of 50', await runScenario({
    label: 'f_rush', orders: 300, concurrency: 300, stock: { A1215: 50 },
    settings: { PAYMENT_FAILURE_RATE: '0' },
    plan: (i) => ({ email: `rush-${i}@example.com`, items: [{ productId: 'A1215', quantity: 1 }] }),
    after: async ({ env, extra }, load) => {
      const rows = await sql<{ status: string; n: number }>(env.databaseUrl,
        'select status, count(*)::int as n from shop.orders where order_id = any($1::uuid[]) group by status', [load.placed.map((p) => p.orderId)]);
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      counts = JSON.stringify(by);
      extra.push({ name: 'exactly the stock sold', ok: by.PERSISTED === 50 && by.REJECTED === 250 && Object.keys(by).length === 2, detail: counts });
    },
  }), counts);
});

// Not a fault of the system: proof that the checker sees what it claims to. Three
// violations planted after a clean run must show as exactly three ✘.
test('the invariant checker flags planted violations (oversold stock, an order from nowhere, a stray dead letter) and nothing else', async () => {
  const results = await runScenario({
    label: 'f_checker', orders: 20, concurrency: 4, expectViolations: true,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    after: async ({ env }) => {
      await sql(env.databaseUrl, `update shop.products set stock_on_hand = stock_on_hand + 1 where product_id = 'A1215'`);
      await sql(env.databaseUrl, `insert into shop.orders (order_id, customer_id, email, status) values (gen_random_uuid(), gen_random_uuid(), 'nobody@example.com', 'REJECTED')`);
      await publishRaw(env.amqpUrl, [{ exchange: '', routingKey: 'payment.dlq', body: { planted: true } }]);
    },
  });
  const failed = results.filter((r) => !r.ok).map((r) => r.name).sort();
  assert.equal(failed, ['dead letters = injected poison', 'orders exist once', 'stock adds up'], results.map((r) => `${r.ok ? '✔' : '✘'} ${r.name}: ${r.detail}`).join('\n'));
});

test.run();
