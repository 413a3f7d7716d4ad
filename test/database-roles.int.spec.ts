// Each service's pool works in PostgreSQL as the service's own role, against the real
// database: its own schema, what it declared it reads or writes of another's, the
// runtime's inbox and outbox, and nothing else; DATABASE_ROLES=off runs as
// DATABASE_URL's user.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startHost, type Host } from '../runtime/host.ts';
import { apiService } from '../handlers/api/index.ts';
import { cancelOrder } from '../handlers/cancel-order/index.ts';
import { invoice } from '../handlers/invoice/index.ts';
import { createTestEnv, type TestEnv } from './support/env.ts';

let env: TestEnv;
let host: Host;

test.before(async () => {
  env = await createTestEnv('db_roles');
  host = await startHost(env.config({ PORT: '0' }), [apiService(), invoice, cancelOrder]);
});

test.after(async () => {
  await host?.stop();
  await env?.cleanup();
});

/** Runs a statement on the service's own pool; resolves to 'ok' or the SQLSTATE it failed with. */
async function as(service: string, statement: string): Promise<string> {
  try {
    await host.databases.get(service)!.em.fork().execute(statement);
    return 'ok';
  } catch (err) {
    return String((err as { code?: string }).code ?? (err as Error).message);
  }
}

const DENIED = '42501';

test('each pool is its service\'s role', async () => {
  for (const service of ['api', 'invoice', 'cancel-order']) {
    const [row] = await host.databases.get(service)!.em.fork().execute<{ user: string }[]>('select current_user as user');
    assert.is(row!.user, `shop_svc_${service.replace('-', '_')}`);
  }
});

test('a service reads and writes its own schema, and no other service\'s', async () => {
  assert.is(await as('invoice', 'select count(*) from invoice.invoices'), 'ok');
  assert.is(await as('invoice', `select nextval('invoice.invoice_number_seq')`), 'ok');
  assert.is(await as('invoice', 'select count(*) from payment.payments'), DENIED);
  assert.is(await as('invoice', 'update shop.products set stock_on_hand = stock_on_hand'), DENIED);
  assert.is(await as('invoice', 'select count(*) from api.idempotency_keys'), DENIED);
});

test('what a service declared it reads is all it reads of another\'s: the api reads the catalog and the timeline, and changes neither', async () => {
  assert.is(await as('api', 'select count(*) from shop.products'), 'ok');
  assert.is(await as('api', 'select count(*) from timeline.order_events'), 'ok');
  assert.is(await as('api', 'update shop.products set stock_on_hand = stock_on_hand'), DENIED);
  assert.is(await as('api', 'delete from timeline.order_events'), DENIED);
  assert.is(await as('api', 'select count(*) from shop.orders'), DENIED);
});

test('cancel-order writes the orders and stock it restores (store-order\'s rule), and nothing else of store-order\'s', async () => {
  assert.is(await as('cancel-order', 'update shop.products set stock_on_hand = stock_on_hand where false'), 'ok');
  assert.is(await as('cancel-order', 'update shop.orders set status = status where false'), 'ok');
  assert.is(await as('cancel-order', 'select count(*) from shop.order_lines'), 'ok');
  assert.is(await as('cancel-order', 'delete from shop.order_lines where false'), DENIED);
  assert.is(await as('cancel-order', 'select count(*) from invoice.invoices'), DENIED);
});

test('the runtime\'s tables: a service adds to the inbox and the outbox, and reads no one\'s outbox', async () => {
  assert.is(await as('invoice', 'select count(*) from runtime.inbox'), 'ok');
  assert.is(await as('invoice', 'select count(*) from runtime.outbox'), DENIED);
  assert.is(await as('invoice', 'update runtime.outbox set status = status'), DENIED);
  assert.is(await as('invoice', 'select count(*) from runtime.migrations'), DENIED);
});

test('DATABASE_ROLES=off: every pool is DATABASE_URL\'s user', async () => {
  const plain = await startHost(env.config({ DATABASE_ROLES: 'off', PORT: '0' }), [invoice]);
  try {
    const [row] = await plain.databases.get('invoice')!.em.fork().execute<{ user: string }[]>('select current_user as user');
    assert.is(row!.user, 'postgres');
  } finally {
    await plain.stop();
  }
});

test.run();
