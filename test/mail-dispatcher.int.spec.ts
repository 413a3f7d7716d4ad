// test-time-limit: 60s
// The mail dispatcher (runtime/mail/dispatcher.ts) against the real PostgreSQL and a real
// SMTP server: e-mails whose sends finish while a mark is on its way are marked sent
// together, by the next statement, not one statement each; and each is marked once.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase, type Database } from '../runtime/db.ts';
import { MailDispatcher, type QueuedEmail } from '../runtime/mail/dispatcher.ts';
import { smtpTransport, type MailTransport } from '../runtime/mail/transport.ts';
import { migrate } from '../runtime/migrate.ts';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { capturingLogger } from './support/log-lines.ts';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.ts';

let env: TestEnv;
let db: Database;
let smtp: TestSmtpServer;
let transport: MailTransport;
let dispatcher: MailDispatcher;
const { log } = capturingLogger({ logLevel: 'info' }, { app: 'mail-dispatcher-test' });

test.before(async () => {
  env = await createTestEnv('mail_dispatcher');
  db = await openDatabase({ url: env.databaseUrl, poolMax: 4 });
  await migrate(db, env.databaseUrl);
  smtp = await startSmtpServer();
  transport = smtpTransport(smtp.url);
  // no pass of its own after the first: what is sent here is what the test hands it
  dispatcher = new MailDispatcher(db, transport, log, { kinds: ['order-confirmation'], from: 'Shop <orders@shop.example>', pollMs: 3_600_000 });
  dispatcher.start();
});

test.after(async () => {
  await dispatcher?.stop(Date.now() + 5000);
  await db?.close(true);
  await smtp?.close();
  await env?.cleanup();
});

/** Queues an e-mail and claims it, as the commit that queues it does; returns the claimed row. */
async function queuedAndClaimed(): Promise<QueuedEmail> {
  const recipient = `${randomUUID()}@example.com`;
  await sql(env.databaseUrl, `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id)
    values (gen_random_uuid(), 'order-confirmation', $1, $2, 'Thank you', 'text', '<p>html</p>', $3)`, [randomUUID(), recipient, `<${randomUUID()}@shop.example>`]);
  const claim = dispatcher.claimStatement();
  const [claimed] = await db.em.fork().execute<QueuedEmail[]>(claim.sql, claim.values);
  assert.is(claimed?.recipient, recipient, 'the claim took the e-mail just queued');
  return claimed!;
}

const xminOf = async (email: QueuedEmail) =>
  (await sql<{ xmin: string; status: string }>(env.databaseUrl, 'select xmin::text, status from mail.emails where id = $1', [email.id]))[0]!;

test('e-mails sent while a mark is on its way are marked together by the next statement', async () => {
  const first = await queuedAndClaimed();
  const later = [await queuedAndClaimed(), await queuedAndClaimed()];
  // hold the first row, so that its mark waits on its way
  const holder = new pg.Client({ connectionString: env.databaseUrl });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('select 1 from mail.emails where id = $1 for update', [first.id]);
    dispatcher.sendClaimed([first]);
    await eventually(async () => smtp.to(first.recipient)[0], 'the first e-mail at the SMTP server', 15_000);
    for (const email of later) dispatcher.sendClaimed([email]);
    await eventually(async () => dispatcher.marksWaiting === later.length || undefined, 'the later e-mails sent, waiting for their mark', 15_000);
    assert.equal((await xminOf(first)).status, 'pending', 'the first mark is still on its way');
    await holder.query('commit');
  } finally {
    await holder.end();
  }
  await eventually(async () => (await Promise.all([first, ...later].map(xminOf))).every((r) => r.status === 'sent') || undefined, 'all three marked sent', 15_000);
  const [a, b, c] = await Promise.all([first, ...later].map(xminOf));
  assert.is(b!.xmin, c!.xmin, 'the later two were marked by one statement');
  assert.is.not(a!.xmin, b!.xmin, 'the first by its own, sent before them');
  for (const email of [first, ...later]) assert.is(smtp.to(email.recipient).length, 1, 'each sent once');
});

test.run();
