// test-time-limit: 60s
// The consumer's transaction (runtime/commit-deliveries.ts) against the real PostgreSQL:
// new deliveries take one round trip plus one per handler statement, the inbox entries
// riding with the outbox insert and the commit; a group holding a delivery the inbox
// knows (whose handler may even fail on its own earlier effect) is committed again with
// the inbox first, so each effect happens once and the known one is told 'duplicate';
// a group failing for a reason of its own fails as it is, its handler not run again.
// A statement sent along with each commit (a mailer's claim) costs no round trip, and its
// rows are handed on only when its transaction committed.
// Round trips are counted as the server's ReadyForQuery answers, one per round trip.
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { paymentSucceeded } from '../generated/services/payment.ts';
import type { OrderPersisted } from '../generated/types.ts';
import { bindHandlers } from '../runtime/bind-handlers.ts';
import { deliveryCommitter, type Committed, type Delivery } from '../runtime/commit-deliveries.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { PermanentError } from '../runtime/errors.ts';
import type { HandlerContext } from '../runtime/handler-context.ts';
import { migrate } from '../runtime/migrate.ts';
import { example } from './support/builders.ts';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';
import { countRoundTrips, type RoundTripCounting } from './support/round-trips.ts';
import { capturingLogger } from './support/log-lines.ts';

let env: TestEnv;
let db: Database;
let counting: RoundTripCounting;
const { log } = capturingLogger({ logLevel: 'info' }, { app: 'commit-deliveries-test' });
/** Handler runs by order: a run that rolled back counts too. */
const runs = new Map<string, number>();
const failFor = new Map<string, Error>();

test.before(async () => {
  env = await createTestEnv('commit_deliveries');
  db = await openDatabase({ url: env.databaseUrl, poolMax: 1 });
  await migrate(db, env.databaseUrl);
  // one charge per order: a second run of the same message fails on it, as a real effect's key would
  await sql(env.databaseUrl, 'create table public.charges (order_id uuid primary key, message_id uuid not null)');
  counting = await countRoundTrips(db);
});

test.after(async () => {
  await db?.close(true);
  await env?.cleanup();
});

/** One statement of its own: the charge, which a second run for the same order refuses. */
async function onOrderPersisted(message: OrderPersisted, ctx: HandlerContext) {
  runs.set(message.orderId, (runs.get(message.orderId) ?? 0) + 1);
  const failure = failFor.get(message.orderId);
  if (failure) throw failure;
  await ctx.em.execute('insert into public.charges (order_id, message_id) values (?, ?)', [message.orderId, ctx.messageId]);
  return [paymentSucceeded({
    orderId: message.orderId, paymentId: ctx.messageId, customerId: message.customerId, email: message.email,
    lines: message.lines, amount: message.total, paidAt: new Date().toISOString(),
  })];
}

function delivery(messageId: string = randomUUID(), message = example('OrderPersisted')): Delivery {
  return {
    envelope: { messageId, type: 'OrderPersisted', correlationId: message.orderId, causationId: undefined, traceparent: undefined, attempt: 1, appId: undefined },
    type: 'OrderPersisted',
    message,
    sender: 'store-order',
  };
}

const orderOf = (d: Delivery) => (d.message as OrderPersisted).orderId;

/** A committer of one lane: a lead delivery takes the lane alone, what is submitted meanwhile is taken as one group once it is free. */
function committer(size: number) {
  return deliveryCommitter(db, log, { service: 'payment', handlers: bindHandlers('payment', { onOrderPersisted }), commit: { size, lanes: 1 } });
}

async function asOneGroup(deliveries: readonly Delivery[]): Promise<PromiseSettledResult<Committed>[]> {
  const commit = committer(deliveries.length);
  const lead = commit(delivery());
  const together = Promise.allSettled(deliveries.map((d) => commit(d)));
  assert.is(await lead, 'handled');
  return together;
}

const charges = async (orders: readonly string[]) =>
  (await sql<{ order_id: string }>(env.databaseUrl, 'select order_id from public.charges where order_id = any($1::uuid[])', [orders])).length;
const outboxRows = async (orders: readonly string[]) =>
  (await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from runtime.outbox where message_type = 'PaymentSucceeded' and correlation_id = any($1::text[])`, [orders]))[0]!.n;
const inboxTransactions = async (ids: readonly string[]) =>
  (await sql<{ n: number }>(env.databaseUrl, `select count(distinct xmin::text)::int as n from runtime.inbox where consumer = 'payment' and message_id = any($1::uuid[])`, [ids]))[0]!.n;

test('a new delivery with a handler of one statement takes two round trips: its statement with BEGIN, then inbox, outbox and COMMIT as one', async () => {
  const d = delivery();
  const { value, trips } = await counting(() => committer(8)(d));
  assert.is(value, 'handled');
  assert.is(trips, 2);
  assert.is(await charges([orderOf(d)]), 1);
  assert.is(await outboxRows([orderOf(d)]), 1);
  assert.is(await inboxTransactions([d.envelope.messageId]), 1);
});

test('a group of new deliveries is one transaction of as many round trips as one delivery alone', async () => {
  const group = Array.from({ length: 6 }, () => delivery());
  const { value, trips } = await counting(() => asOneGroup(group));
  assert.equal(value.map((r) => r.status === 'fulfilled' && r.value), group.map(() => 'handled'));
  // the group's handler runs once per delivery, a statement each: six, then the inbox with the outbox and the commit; the lead's two
  assert.is(trips, 2 + group.length + 1);
  assert.is(await inboxTransactions(group.map((d) => d.envelope.messageId)), 1, 'the group\'s inbox entries were written by one transaction');
  assert.is(await charges(group.map(orderOf)), group.length);
});

test('a redelivery whose handler fails on its own earlier effect is a duplicate: acked as such, nothing happens twice', async () => {
  const first = delivery();
  assert.is(await committer(8)(first), 'handled');
  const again = delivery(first.envelope.messageId, first.message as OrderPersisted);
  assert.is(await committer(8)(again), 'duplicate');
  assert.is(runs.get(orderOf(first)), 2, 'the handler ran once more, in the transaction that rolled back; the careful one skipped it');
  assert.is(await charges([orderOf(first)]), 1);
  assert.is(await outboxRows([orderOf(first)]), 1);
});

test('a group holding a known delivery among new ones: the known one is a duplicate, the new ones are handled together, each effect once', async () => {
  const known = delivery();
  assert.is(await committer(8)(known), 'handled');
  const fresh = [delivery(), delivery(), delivery()];
  const group = [fresh[0]!, delivery(known.envelope.messageId, known.message as OrderPersisted), fresh[1]!, fresh[2]!];
  const results = await asOneGroup(group);
  assert.equal(results.map((r) => r.status === 'fulfilled' && r.value), ['handled', 'duplicate', 'handled', 'handled']);
  assert.is(await charges(group.map(orderOf)), 4);
  assert.is(await outboxRows(group.map(orderOf)), 4);
  assert.is(await inboxTransactions(fresh.map((d) => d.envelope.messageId)), 1, 'the new ones committed together');
});

test('the same message twice in one group: handled once, the other copy a duplicate', async () => {
  const d = delivery();
  const copy = delivery(d.envelope.messageId, d.message as OrderPersisted);
  const other = delivery();
  const results = await asOneGroup([d, other, copy]);
  assert.equal(results.map((r) => r.status === 'fulfilled' && r.value).sort(), ['duplicate', 'handled', 'handled']);
  assert.is(await charges([orderOf(d), orderOf(other)]), 2);
  assert.is(await outboxRows([orderOf(d)]), 1);
});

test('a group failing for a reason of its own fails that delivery alone, and its handler is not run again the careful way', async () => {
  const group = [delivery(), delivery(), delivery()];
  const declined = new PermanentError('declined for good');
  failFor.set(orderOf(group[1]!), declined);
  const results = await asOneGroup(group);
  assert.is(results[0]!.status === 'fulfilled' && results[0].value, 'handled');
  assert.is(results[1]!.status === 'rejected' && results[1].reason, declined);
  assert.is(results[2]!.status === 'fulfilled' && results[2].value, 'handled');
  assert.is(runs.get(orderOf(group[1]!)), 2, 'once in the group, once alone');
  assert.is(await charges(group.map(orderOf)), 2);
});

test('a statement sent along with the commit costs no round trip, and its rows are handed on only once its transaction committed', async () => {
  await sql(env.databaseUrl, 'create table public.jobs (id int primary key, claimed_by uuid)');
  await sql(env.databaseUrl, 'insert into public.jobs (id) select generate_series(1, 5)');
  const handedOn: unknown[][] = [];
  const toldHandled: number[] = [];
  const claimer = (claimedBy: string) => deliveryCommitter(db, log, {
    service: 'payment', handlers: bindHandlers('payment', { onOrderPersisted }), commit: { size: 8, lanes: 1 },
    alongCommit: (handled) => (toldHandled.push(handled), {
      statement: { sql: 'update public.jobs set claimed_by = ? where id in (select id from public.jobs where claimed_by is null order by id limit 2) returning id', values: [claimedBy] },
      committed: (rows) => handedOn.push(rows.map((r) => (r as { id: number }).id).sort()),
      failed: (error, inDoubt) => assert.not.ok(inDoubt, `no commit here is in doubt: ${String(error)}`),
    }),
    afterCommit: (messages) => assert.is(messages.length, 1, 'the events still go out'),
  });
  const first = delivery();
  const { value, trips } = await counting(() => claimer(first.envelope.messageId)(first));
  assert.is(value, 'handled');
  assert.is(trips, 2, 'as many round trips as without it');
  assert.equal(handedOn, [[1, 2]]);
  assert.equal(toldHandled, [1], 'told how many deliveries its transaction handled');
  const failing = delivery();
  failFor.set(orderOf(failing), new PermanentError('declined'));
  await claimer(failing.envelope.messageId)(failing).then(() => assert.unreachable('the handler failed'), () => undefined);
  assert.equal(handedOn, [[1, 2]], 'a transaction that rolled back hands nothing on');
  const claimed = await sql<{ id: number; claimed_by: string | null }>(env.databaseUrl, 'select id, claimed_by from public.jobs order by id');
  assert.equal(claimed.map((r) => r.claimed_by), [first.envelope.messageId, first.envelope.messageId, null, null, null], 'and claims nothing');
});

test.run();
