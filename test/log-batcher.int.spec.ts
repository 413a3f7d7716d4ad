// The log batcher against the real broker and database: log records that many
// transactions wrote go out as one LogEmitted per service, in the order they were
// written, each record in exactly one batch (also with two batchers at once), batches
// cut at the configured count and bytes, and a record the contract refuses dropped
// with an error rather than holding back its service's batches. log-persistence
// stores what the batches carry, once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { LogBatcher, type LogBatcherOptions } from '../runtime/log-batcher.ts';
import { capturingLogger } from './support/log-lines.ts';
import { writeAllToOutbox } from '../runtime/outbox.ts';
import { logEmitted, logRecord } from '../runtime/event-log.ts';
import { logPersistence } from '../handlers/log-persistence/index.ts';
import { selectServices } from '../handlers/index.ts';
import type { LogRecord } from '../generated/types.ts';

let env: TestEnv;
let host: Host;
const { log, lines } = capturingLogger({ logLevel: 'info' }, { app: 'log-batcher-test' });

test.before(async () => {
  env = await createTestEnv('log_batcher');
  host = await startHost(env.config(), [logPersistence, ...await selectServices(['payment', 'invoice'])]);
  // The host's own batcher makes its first pass at the start, which on a busy machine can
  // still be under way (CI once saw it take a test's first records): its loop ends here,
  // after that pass, so the batchers each test makes are the only ones that send.
  await host.logBatcher.stop();
});

test.after(async () => {
  await host?.stop();
  await env?.cleanup();
});

function batcher(options: Partial<LogBatcherOptions> = {}): LogBatcher {
  return new LogBatcher(host.runtime.db, log, {
    services: ['payment', 'invoice'], batchSize: 500, maxBytes: 128 * 1024, pollMs: 600_000,
    publish: (messages) => host.runtime.relay.publishCommitted(messages), ...options,
  });
}

/** Commits a transaction of the service that writes these records, as a handler's would. */
async function written(service: string, messages: readonly string[]): Promise<void> {
  await host.runtime.db.em.fork().transactional((em) =>
    writeAllToOutbox(em, [{ events: logEmitted(service, messages.map((m) => logRecord('info', m))), cause: { service } }]));
}

interface Batch { message_id: string; service: string; messages: string[]; status: string }

/** The LogEmitted batches in the outbox that carry records with this tag, oldest first. */
const batchesOf = (tag: string) => sql<Batch>(env.databaseUrl,
  `select message_id, app_id as service, status, array(select r->>'message' from jsonb_array_elements(payload->'records') r) as messages
     from runtime.outbox where message_type = 'LogEmitted' and payload::text like $1 order by id`, [`%${tag}%`]);

const pending = async () => (await sql<{ n: number }>(env.databaseUrl, 'select coalesce(sum(jsonb_array_length(records)), 0)::int as n from runtime.pending_log_records'))[0].n;

test('the records of many transactions go out as one LogEmitted per service, in their order, and are stored once', async () => {
  const tag = randomUUID();
  const payment = Array.from({ length: 5 }, (_, i) => [`${tag} payment ${i}a`, `${tag} payment ${i}b`]);
  for (const [i, messages] of payment.entries()) {
    await written('payment', messages);
    await written('invoice', [`${tag} invoice ${i}`]);
  }
  assert.is(await pending(), 15, 'the records wait for a batch');

  assert.is(await batcher().batch(), 5, 'the pass reports the most transactions it took for one service');
  const batches = await batchesOf(tag);
  assert.equal(batches.map((b) => [b.service, b.messages]), [
    ['payment', payment.flat()],
    ['invoice', Array.from({ length: 5 }, (_, i) => `${tag} invoice ${i}`)],
  ]);
  assert.is(await pending(), 0, 'taken in the transaction that wrote the batches');

  const stored = await eventually(async () => {
    const rows = await sql<{ message_id: string; seq: number; service: string; message: string }>(env.databaseUrl,
      `select message_id, seq, service, message from logs.log_records where message like $1 order by message_id, seq`, [`${tag}%`]);
    return rows.length >= 15 ? rows : undefined;
  }, 'log-persistence stored the batches\' records');
  for (const b of batches) {
    const own = stored.filter((r) => r.message_id === b.message_id);
    assert.equal(own.map((r) => [r.seq, r.service, r.message]), b.messages.map((m, seq) => [seq, b.service, m]), `${b.service}'s batch, each record once`);
  }
  await eventually(async () => (await batchesOf(tag)).every((b) => b.status === 'sent'), 'the batches marked sent');
});

test('a batch holds at most batchSize records and maxBytes of them; the rest go in the next, in order', async () => {
  const tag = randomUUID();
  const messages = Array.from({ length: 7 }, (_, i) => `${tag} ${i}`);
  for (const m of messages) await written('payment', [m]);
  const small = batcher({ batchSize: 3 });
  assert.equal([await small.batch(), await small.batch(), await small.batch(), await small.batch()], [3, 3, 1, 0]);
  assert.equal((await batchesOf(tag)).map((b) => b.messages), [messages.slice(0, 3), messages.slice(3, 6), messages.slice(6)]);

  const big = randomUUID();
  const long = Array.from({ length: 6 }, (_, i) => `${big} ${i} ${'x'.repeat(1500)}`);
  await written('invoice', long);
  await batcher({ maxBytes: 4000 }).batch();
  const cut = await batchesOf(big);
  assert.equal(cut.map((b) => b.messages), [long.slice(0, 2), long.slice(2, 4), long.slice(4)], 'two records of about 1.6 kB fit in 4 kB, not three');
  assert.is(new Set(cut.map((b) => b.message_id)).size, 3);
});

test('two batchers at once send each record in exactly one batch', async () => {
  const tag = randomUUID();
  const messages = Array.from({ length: 400 }, (_, i) => `${tag} ${String(i).padStart(3, '0')}`);
  // 100 transactions of four records, ten transactions a pass
  for (let i = 0; i < messages.length; i += 4) await written(i % 8 ? 'payment' : 'invoice', messages.slice(i, i + 4));
  const [one, two] = [batcher({ batchSize: 10 }), batcher({ batchSize: 10 })];
  const drain = async (b: LogBatcher) => { let passes = 0; while ((await b.batch()) > 0) passes++; return passes; };
  const passes = await Promise.all([drain(one), drain(two)]);
  assert.ok(passes.every((p) => p > 0), `both took part (passes: ${passes})`);
  const sent = (await batchesOf(tag)).flatMap((b) => b.messages);
  assert.is(sent.length, messages.length, 'no record twice, none left out');
  assert.equal([...sent].sort(), messages);
  assert.is(await pending(), 0);
});

test('a record the contract refuses is logged and dropped; its service\'s other records still go out', async () => {
  const tag = randomUUID();
  await written('payment', [`${tag} before`]);
  // written by hand, as an older contract or a bad migration could leave it: no level
  const refused: Partial<LogRecord> = { message: `${tag} refused`, at: new Date().toISOString() };
  await sql(env.databaseUrl, `insert into runtime.pending_log_records (app_id, records) values ('payment', $1)`, [JSON.stringify([refused])]);
  await written('payment', [`${tag} after`]);
  await batcher().batch();
  assert.equal((await batchesOf(tag)).map((b) => b.messages), [[`${tag} before`, `${tag} after`]]);
  assert.is(await pending(), 0, 'the refused record is not left to block the next batches');
  const error = lines.find((l) => l.msg === 'a pending log record is refused by the contract; dropped' && (l.record as LogRecord | undefined)?.message === `${tag} refused`);
  assert.ok(error, 'the refusal is logged with the record');
  assert.is(error!.level, 50);
  assert.match(String(error!.err), 'required property \'level\'');
});

test('the loop sends what this process writes, and now and then looks for what a stopped process left', async () => {
  const looping = batcher({ pollMs: 50 });
  looping.start();
  try {
    const [own, left] = [randomUUID(), randomUUID()];
    await written('payment', [`${own} written here`]);
    await eventually(async () => (await batchesOf(own)).length === 1, 'the record written here batched');
    // written by another process: nothing in this one says so, so only the loop's idle look finds it
    await sql(env.databaseUrl, `insert into runtime.pending_log_records (app_id, records) values ('invoice', $1)`,
      [JSON.stringify([logRecord('info', `${left} left behind`)])]);
    await eventually(async () => (await batchesOf(left)).length === 1, 'the record left behind batched', 5000);
    assert.is(await pending(), 0);
  } finally {
    await looping.stop();
  }
});

test('a LogEmitted that names another service than its writer is refused when written', async () => {
  const error = await host.runtime.db.em.fork().transactional((em) =>
    writeAllToOutbox(em, [{ events: logEmitted('invoice', [logRecord('info', 'not mine')]), cause: { service: 'payment', messageId: randomUUID() } }]))
    .then(() => undefined, (err: Error) => err);
  assert.match(String(error?.message), /^payment wrote a LogEmitted naming invoice as its service while handling [0-9a-f-]{36}$/);
  assert.is(error?.name, 'PermanentError', 'a handler that does so fails for good: its message is dead-lettered');
});

test.run();
