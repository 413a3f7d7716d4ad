// log-persistence against the real broker and database: each record of a LogEmitted
// becomes one row of logs.log_records, once, however often the message is delivered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { drainQueue, publishRaw } from './support/amqp.ts';
import { Header } from '../runtime/headers.ts';
import { example, rawEvent } from './support/builders.ts';
import { handled } from './support/shop.ts';
import { watchDeliveries } from './support/deliveries.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { logPersistence } from '../handlers/log-persistence/index.ts';
import type { LogRecord } from '../generated/types.ts';

let env: TestEnv;
let host: Host;
const deliveries = watchDeliveries();

test.before(async () => {
  env = await createTestEnv('log_persistence');
  host = await startHost(env.config(), [logPersistence], deliveries.options);
});

test.after(async () => {
  await host?.stop();
  await env?.cleanup();
});

const recordsOf = (messageIds: string[]) => sql<Record<string, unknown>>(env.databaseUrl,
  `select message_id, seq, level, service, message, order_id, about_message_id, error, at from logs.log_records where message_id = any($1::uuid[]) order by message_id, seq`, [messageIds]);
const oneRecord = (record: Partial<LogRecord> = {}, service = 'store-order') => ({ service, records: [{ ...example('LogEmitted').records[0]!, ...record }] });

test('a LogEmitted\'s record is stored with every field it carries', async () => {
  const orderId = randomUUID();
  const about = randomUUID();
  const emitted = oneRecord({ level: 'error', message: 'OrderPersisted dead-lettered', orderId, messageId: about, error: 'Error: boom', at: '2026-11-25T09:30:00.121Z' }, 'payment');
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', emitted)], 'payment');
  const [row] = await eventually(async () => { const rows = await recordsOf([id]); return rows.length ? rows : undefined; }, 'the log record');
  assert.equal(row, {
    message_id: id, seq: 0, level: 'error', service: 'payment', message: 'OrderPersisted dead-lettered', order_id: orderId,
    about_message_id: about, error: 'Error: boom', at: new Date('2026-11-25T09:30:00.121Z'),
  });
});

test('the records of one LogEmitted (a group commit\'s) are each a row, in their order', async () => {
  const orders = [randomUUID(), randomUUID(), randomUUID()];
  const emitted = { service: 'invoice', records: orders.map((orderId, i) => ({ level: 'info' as const, message: `handled PaymentSucceeded ${i}`, orderId, at: '2026-11-25T09:30:00.121Z' })) };
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', emitted)], 'invoice');
  await handled(env.databaseUrl, 'log-persistence', id);
  const rows = await recordsOf([id]);
  assert.equal(rows.map((r) => [r.seq, r.service, r.message, r.order_id]), orders.map((orderId, i) => [i, 'invoice', `handled PaymentSucceeded ${i}`, orderId]));
});

test('a record without order or error is stored with those left empty', async () => {
  const { orderId: _o, messageId: _m, ...bare } = example('LogEmitted').records[0]!;
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', { service: 'api', records: [bare] })], 'api');
  await handled(env.databaseUrl, 'log-persistence', id);
  const [row] = await recordsOf([id]);
  assert.is(row.order_id, null);
  assert.is(row.about_message_id, null);
  assert.is(row.error, null);
});

test('a LogEmitted delivered twice (same messageId) is stored once; another message with the same content is its own record', async () => {
  const orderId = randomUUID();
  const record = oneRecord({ orderId });
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', record, messageId), rawEvent('LogEmitted', record, messageId)], 'store-order');
  const [other] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', record)], 'store-order');
  await handled(env.databaseUrl, 'log-persistence', messageId);
  await handled(env.databaseUrl, 'log-persistence', other);
  await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', record, messageId)], 'store-order');
  await deliveries.ended(messageId, 3); // the late copy too has been through the pipeline
  assert.is((await recordsOf([messageId])).length, 1);
  assert.is((await recordsOf([other])).length, 1);
  const [{ n }] = await sql<{ n: number }>(env.databaseUrl, 'select count(*)::int as n from logs.log_records where order_id = $1', [orderId]);
  assert.is(n, 2);
});

test('a service logs as itself: a LogEmitted naming another service is dead-lettered, not stored', async () => {
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', oneRecord({ message: 'I am payment' }, 'payment'))], 'store-order');
  const [letter] = await eventually(async () => { const l = await drainQueue(env.amqpUrl, 'log-persistence.dlq'); return l.length ? l : undefined; }, 'the dead letter');
  assert.is(letter!.properties.messageId, id);
  assert.match(String(letter!.properties.headers?.[Header.error]), 'a LogEmitted sent by store-order names payment as its service');
  assert.equal(await recordsOf([id]), []);
});

test('a forged LogEmitted among others committed together: the others are stored, it alone is dead-lettered', async () => {
  // published at once, they gather into one group (log-persistence gathers for 100 ms); the forged one fails the group's insert step
  const ids = await publishRaw(env.amqpUrl, [
    rawEvent('LogEmitted', oneRecord({ message: 'first' })),
    rawEvent('LogEmitted', oneRecord({ message: 'not mine' }, 'payment')),
    rawEvent('LogEmitted', oneRecord({ message: 'third' })),
  ], 'store-order');
  const [letter] = await eventually(async () => { const l = await drainQueue(env.amqpUrl, 'log-persistence.dlq'); return l.length ? l : undefined; }, 'the dead letter');
  assert.is(letter!.properties.messageId, ids[1]);
  const stored = await eventually(async () => { const rows = await recordsOf(ids); return rows.length === 2 ? rows : undefined; }, 'the two genuine records');
  assert.equal(stored.map((r) => r.message).sort(), ['first', 'third']);
});

test.run();
