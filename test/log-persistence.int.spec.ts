// log-persistence against the real broker and database: each LogEmitted message
// becomes one row of logs.log_records, once, however often it is delivered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';
import { handled } from './support/shop.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { logPersistence } from '../handlers/log-persistence/index.ts';

let env: TestEnv;
let host: Host;

test.before(async () => {
  env = await createTestEnv('log_persistence');
  host = await startHost(env.config(), [logPersistence]);
});

test.after(async () => {
  await host?.stop();
  await env?.cleanup();
});

const recordsOf = (messageIds: string[]) => sql<Record<string, unknown>>(env.databaseUrl,
  `select message_id, level, service, message, order_id, about_message_id, error, at from logs.log_records where message_id = any($1::uuid[]) order by id`, [messageIds]);

test('a LogEmitted is stored with every field it carries', async () => {
  const orderId = randomUUID();
  const about = randomUUID();
  const record = example('LogEmitted', { level: 'error', service: 'payment', message: 'OrderPersisted dead-lettered', orderId, messageId: about, error: 'Error: boom', at: '2026-11-25T09:30:00.121Z' });
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', record)]);
  const [row] = await eventually(async () => { const rows = await recordsOf([id]); return rows.length ? rows : undefined; }, 'the log record');
  assert.equal(row, {
    message_id: id, level: 'error', service: 'payment', message: 'OrderPersisted dead-lettered', order_id: orderId,
    about_message_id: about, error: 'Error: boom', at: new Date('2026-11-25T09:30:00.121Z'),
  });
});

test('a record without order or error is stored with those left empty', async () => {
  const { orderId: _o, messageId: _m, ...bare } = example('LogEmitted');
  const [id] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', bare)]);
  await handled(env.databaseUrl, 'log-persistence', id);
  const [row] = await recordsOf([id]);
  assert.is(row.order_id, null);
  assert.is(row.about_message_id, null);
  assert.is(row.error, null);
});

test('a LogEmitted delivered twice (same messageId) is stored once; another message with the same content is its own record', async () => {
  const record = example('LogEmitted', { orderId: randomUUID() });
  const messageId = randomUUID();
  await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', record, messageId), rawEvent('LogEmitted', record, messageId)]);
  const [other] = await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', record)]);
  await handled(env.databaseUrl, 'log-persistence', messageId);
  await handled(env.databaseUrl, 'log-persistence', other);
  await publishRaw(env.amqpUrl, [rawEvent('LogEmitted', record, messageId)]);
  await new Promise((r) => setTimeout(r, 700)); // the late copy goes through the pipeline
  assert.is((await recordsOf([messageId])).length, 1);
  assert.is((await recordsOf([other])).length, 1);
  const [{ n }] = await sql<{ n: number }>(env.databaseUrl, 'select count(*)::int as n from logs.log_records where order_id = $1', [record.orderId]);
  assert.is(n, 2);
});

test.run();
