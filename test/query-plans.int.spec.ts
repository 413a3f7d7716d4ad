// test-time-limit: 90s
// Statements on the hot path stay index lookups as their tables grow, on the real
// PostgreSQL: the e-mail claim with thousands of e-mails sent since the last vacuum, and
// the lookup of earlier idempotency keys with thousands stored. Each plan is read with
// EXPLAIN from the statement the code runs (exported by its module). The e-mails are not
// analyzed: between two autovacuums a busy table's statistics lag behind it, and that is
// when the old index let the planner choose two bitmap scans.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { EARLIER_ACCEPTANCES } from '../handlers/api/acceptOrder.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { CLAIM_DUE_EMAILS } from '../runtime/mail/dispatcher.ts';
import { CLAIM_PENDING_LOG_RECORDS, CLAIM_PLAN_SETTINGS } from '../runtime/log-batcher.ts';
import { CLAIM_LATE_OUTBOX_ROWS, COUNT_UNPUBLISHED_OUTBOX_ROWS } from '../runtime/relay.ts';
import { migrate } from '../runtime/migrate.ts';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';

let env: TestEnv;
let db: Database;

test.before(async () => {
  env = await createTestEnv('query_plans');
  db = await openDatabase({ url: env.databaseUrl, poolMax: 2 });
  await migrate(db, env.databaseUrl);
});

test.after(async () => {
  await db?.close();
  await env?.cleanup();
});

interface PlanNode { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; Plans?: PlanNode[] }

/** Every node of the statement's plan, as EXPLAIN (FORMAT JSON) gives it, with the parameters the code passes (and the settings it makes first). */
async function planOf(statement: string, params: unknown[], settings?: string): Promise<PlanNode[]> {
  const [row] = await db.em.fork().transactional(async (em) => {
    if (settings) await em.execute(settings);
    return em.execute<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(`explain (format json) ${statement}`, params);
  });
  const nodes: PlanNode[] = [];
  const walk = (n: PlanNode) => { nodes.push(n); n.Plans?.forEach(walk); };
  walk(row!['QUERY PLAN'][0].Plan);
  return nodes;
}

const describe = (nodes: PlanNode[]) => nodes.map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}`).join(' / ');

test('the e-mail claim is one index scan of the pending e-mails of its kinds, however many were sent before', async () => {
  // 4,000 e-mails queued and sent, as a dispatcher leaves them: every one a dead entry among the pending until a vacuum
  await sql(env.databaseUrl, `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id)
    select gen_random_uuid(), (array['order-confirmation', 'invoice', 'cancellation'])[1 + i % 3], 'order-' || i, 'jane@example.com', 's', 't', 'h', '<m' || i || '@shop.example>'
      from generate_series(1, 4000) as i`);
  await sql(env.databaseUrl, `update mail.emails set attempts = 1, next_attempt_at = now() + interval '2 minutes' where true`);
  await sql(env.databaseUrl, `update mail.emails set status = 'sent', sent_at = now() where true`);

  for (const kinds of [['invoice'], ['cancellation', 'rejection']]) {
    const nodes = await planOf(CLAIM_DUE_EMAILS, [120, randomUUID(), kinds, 128]);
    const scans = nodes.filter((n) => n['Relation Name'] === 'emails');
    assert.ok(scans.some((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === 'emails_pending_by_kind_idx'), `${kinds}: ${describe(nodes)}`);
    // a bitmap scan never marks the dead entries it meets: each claim would check every e-mail sent since the last vacuum again
    assert.not.ok(nodes.some((n) => n['Node Type'].startsWith('Bitmap') || n['Node Type'] === 'Seq Scan'), `${kinds}: ${describe(nodes)}`);
  }
});

test('the relay pass claims late outbox rows with one index scan of the pending ones, however many were sent before', async () => {
  // 20,000 events published and marked sent, as the writers leave them: dead entries among the pending until a vacuum
  await sql(env.databaseUrl, `insert into runtime.outbox (message_id, message_type, exchange, routing_key, correlation_id, causation_id, traceparent, app_id, payload)
    select gen_random_uuid(), 'OrderCreated', 'shop.orders', 'order.created', gen_random_uuid()::text, gen_random_uuid(), '00-' || md5(i::text) || '-0000000000000001-01',
           (array['api', 'store-order', 'payment', 'invoice'])[1 + i % 4], '{}'
      from generate_series(1, 20000) as i`);
  await sql(env.databaseUrl, `update runtime.outbox set status = 'sent', sent_at = now() where true`);
  for (const services of [['api'], ['api', 'store-order', 'payment', 'invoice', 'cancel-order']]) {
    const nodes = await planOf(CLAIM_LATE_OUTBOX_ROWS, [services, 5, 128]);
    const scans = nodes.filter((n) => n['Relation Name'] === 'outbox');
    assert.ok(scans.some((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === 'outbox_pending_by_service_idx'), `${services}: ${describe(nodes)}`);
    assert.not.ok(nodes.some((n) => n['Node Type'].startsWith('Bitmap') || n['Node Type'] === 'Seq Scan'), `${services}: ${describe(nodes)}`);
  }
  // the api's admission control counts the unpublished ones several times a second, before and after the statistics count the sent ones
  for (const analyzed of [false, true]) {
    if (analyzed) await sql(env.databaseUrl, 'analyze runtime.outbox');
    const nodes = await planOf(COUNT_UNPUBLISHED_OUTBOX_ROWS, [['api', 'store-order', 'payment', 'invoice', 'cancel-order'], 1, 400]);
    assert.ok(nodes.some((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === 'outbox_pending_by_service_idx'), `count, analyzed ${analyzed}: ${describe(nodes)}`);
    assert.not.ok(nodes.some((n) => n['Node Type'].startsWith('Bitmap') || n['Node Type'] === 'Seq Scan'), `count, analyzed ${analyzed}: ${describe(nodes)}`);
  }
});

test('the log batch pass takes pending records with one index scan per service, however many were batched before', async () => {
  // 20,000 transactions' records written and taken into batches, 300 still pending: dead entries among the pending until a vacuum
  const write = (n: number) => sql(env.databaseUrl, `insert into runtime.pending_log_records (app_id, records)
    select (array['api', 'store-order', 'payment', 'invoice'])[1 + i % 4], '[{"level":"info","message":"m","at":"2026-11-27T00:00:00.000Z"}]'
      from generate_series(1, $1::int) as i`, [n]);
  await write(20_000);
  await sql(env.databaseUrl, 'delete from runtime.pending_log_records');
  await write(300);
  // before and after the statistics count the dead rows out: the planner chose a bitmap scan, then a sequential one
  for (const analyzed of [false, true]) {
    if (analyzed) await sql(env.databaseUrl, 'analyze runtime.pending_log_records');
    for (const services of [['api'], ['api', 'store-order', 'payment', 'invoice', 'cancel-order']]) {
      const nodes = await planOf(CLAIM_PENDING_LOG_RECORDS, [services, 500], CLAIM_PLAN_SETTINGS);
      const scans = nodes.filter((n) => n['Relation Name'] === 'pending_log_records' && n['Node Type'] !== 'ModifyTable');
      assert.ok(scans.some((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === 'pending_log_records_by_service_idx'), `${services}: ${describe(nodes)}`);
      assert.not.ok(nodes.some((n) => n['Node Type'].startsWith('Bitmap') || n['Node Type'] === 'Seq Scan' || n['Node Type'] === 'Sort'), `${services}: ${describe(nodes)}`);
    }
  }
});

test('the lookup of earlier idempotency keys reads the keys asked for, not the table', async () => {
  await sql(env.databaseUrl, `insert into api.order_requests (order_id, customer_id, email, items)
    select gen_random_uuid(), gen_random_uuid(), 'jane@example.com', '[]' from generate_series(1, 5000)`);
  await sql(env.databaseUrl, `insert into api.idempotency_keys (key, request_hash, order_id) select 'key-' || order_id, 'h', order_id from api.order_requests`);
  await sql(env.databaseUrl, 'analyze api.idempotency_keys');
  const nodes = await planOf(EARLIER_ACCEPTANCES, [[`key-${randomUUID()}`, `key-${randomUUID()}`, 'another']]);
  const scans = nodes.filter((n) => n['Relation Name'] === 'idempotency_keys');
  assert.not.ok(scans.some((n) => n['Node Type'] === 'Seq Scan'), describe(nodes));
  assert.ok(nodes.some((n) => n['Index Name'] === 'idempotency_keys_pkey'), describe(nodes));
});

test.run();
