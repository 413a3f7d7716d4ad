// The dead-letter CLI as an operator runs it (`npm run dlq -- ...`, a child process)
// against a vhost of its own: --help, the real total however many are read, reasons
// grouped with counts, --limit, --json, a dry run that moves nothing, and a replay with a
// progress line. Throughout, what stays in the dead-letter queue keeps its order (the
// broker returns unacknowledged messages to the back: a partial read would rotate it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setupBroker } from '../runtime/broker-setup.ts';
import { Header } from '../runtime/headers.ts';
import { createLogger } from '../runtime/logger.ts';
import { drainQueue, publishRaw, queueDepth } from './support/amqp.ts';
import { createTestEnv, type TestEnv } from './support/env.ts';

const ROOT = path.join(import.meta.dirname, '..');
const DLQ = 'payment.dlq';
const QUEUE = 'payment';

let env: TestEnv;
/** messageIds in the dead-letter queue, in its order, as this test put them there (minus what was replayed). */
let expected: string[] = [];

function dlq(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const child = spawnSync(process.execPath, [path.join(ROOT, 'tools/dlq.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', AMQP_URL: env.amqpUrl },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { stdout: child.stdout, stderr: child.stderr, status: child.status };
}

/** The messageIds in the dead-letter queue, in order, read through the CLI itself (which leaves them in place). */
function idsInQueue(): string[] {
  const out = dlq('list', 'payment', '--json', '--limit', '1000');
  assert.is(out.status, 0, out.stderr);
  return (JSON.parse(out.stdout) as { messages: { messageId: string }[] }[])[0].messages.map((m) => m.messageId);
}

const REASONS = [
  ...Array.from({ length: 7 }, () => `gateway rejects merchant for order ${randomUUID()}`),
  ...Array.from({ length: 4 }, () => 'payload is invalid: /amount/amount must be <= 2147483647'),
  'delivery limit reached',
];

test.before(async () => {
  env = await createTestEnv('dlq_cli');
  const config = env.config();
  await setupBroker(config, createLogger(config));
  // interleaved, so that grouping has to count rather than find runs
  const order = REASONS.map((reason, i) => ({ reason, i })).sort((a, b) => (a.i % 3) - (b.i % 3) || a.i - b.i);
  expected = await publishRaw(env.amqpUrl, order.map(({ reason }, i) => ({
    exchange: '',
    routingKey: DLQ,
    body: { n: i },
    options: {
      type: 'OrderPersisted',
      correlationId: randomUUID(),
      headers: { [Header.error]: reason, [Header.attempts]: 3, [Header.deadLetteredAt]: new Date().toISOString(), [Header.originalRoutingKey]: 'order.persisted' },
    },
  })), 'admin');
});

test.after(async () => {
  await env?.cleanup();
});

test('--help prints the usage and exits 0; a bad option is a usage error', () => {
  const help = dlq('--help');
  assert.is(help.status, 0);
  assert.match(help.stdout, /^usage: npm run dlq -- <command> \[options\]/);
  for (const option of ['--limit', '--json', '--dry-run', '--service']) assert.match(help.stdout, option);
  const bad = dlq('list', 'payment', '--limit', 'many');
  assert.is(bad.status, 2);
  assert.match(bad.stderr, '--limit many is not a positive whole number');
  assert.is(dlq('replay').status, 2, 'replay needs a service');
});

test('list shows the real total however many it reads, and the reasons with their counts', () => {
  const out = dlq('list', '--service', 'payment', '--limit', '5');
  assert.is(out.status, 0, out.stderr);
  assert.match(out.stdout, `payment.dlq: ${REASONS.length} message(s)\n  by reason:\n       7  gateway rejects merchant for order <id>\n       4  payload is invalid`);
  assert.match(out.stdout, '  the oldest 5 (--limit):');
  assert.is(out.stdout.match(/^  [0-9a-f-]{36}  OrderPersisted/gm)?.length, 5);
  const json = dlq('list', 'payment', '--json');
  const [listing] = JSON.parse(json.stdout);
  assert.is(listing.total, REASONS.length);
  assert.is(listing.shown, REASONS.length);
  assert.equal(listing.byReason, [
    { reason: 'gateway rejects merchant for order <id>', count: 7 },
    { reason: 'payload is invalid: /amount/amount must be <= 2147483647', count: 4 },
    { reason: 'delivery limit reached', count: 1 },
  ]);
  assert.equal(listing.messages.map((m: { messageId: string }) => m.messageId), expected);
  const limited = JSON.parse(dlq('list', 'payment', '--json', '--limit', '3').stdout)[0];
  assert.is(limited.total, REASONS.length, 'the total is the queue depth, not what was shown');
  assert.is(limited.shown, 3);
  assert.equal(limited.byReason, listing.byReason, 'the reasons cover every message');
  assert.equal(idsInQueue(), expected, 'listing leaves every message in place, in its order');
});

test('list without a service covers every dead-letter queue', () => {
  const out = dlq('list', '--limit', '1');
  assert.is(out.status, 0, out.stderr);
  assert.match(out.stdout, `payment.dlq: ${REASONS.length} message(s)`);
  assert.match(out.stdout, `${REASONS.length} message(s) in the dead-letter queues of 9 services`);
});

test('replay --dry-run says what it would replay and moves nothing', async () => {
  const out = dlq('replay', 'payment', '--dry-run', '--limit', '4');
  assert.is(out.status, 0, out.stderr);
  assert.match(out.stdout, `dry run: 4 message(s) would be replayed from payment's dead-letter queue to ${QUEUE}; nothing was moved`);
  for (const id of expected.slice(0, 4)) assert.match(out.stdout, id);
  assert.is(await queueDepth(env.amqpUrl, QUEUE), 0);
  assert.equal(idsInQueue(), expected, 'a dry run leaves every message in place, in its order');
});

test('replay --limit moves the oldest N back to the service with a progress line; the rest keep their order', async () => {
  const out = dlq('replay', 'payment', '--limit', '3');
  assert.is(out.status, 0, out.stderr);
  assert.match(out.stdout, `3 message(s) replayed from payment's dead-letter queue to ${QUEUE}`);
  assert.match(out.stderr, /^replayed 3\/3$/m);
  const moved = await drainQueue(env.amqpUrl, QUEUE);
  assert.equal(moved.map((m) => m.properties.messageId), expected.slice(0, 3));
  assert.is(moved[0].properties.headers?.[Header.error], undefined, 'the failure headers are dropped');
  expected = expected.slice(3);
  assert.equal(idsInQueue(), expected);
});

test('replay of named messages with --json moves only those', async () => {
  const chosen = [expected[2], expected[5]];
  const out = dlq('replay', 'payment', ...chosen, '--json');
  assert.is(out.status, 0, out.stderr);
  const report = JSON.parse(out.stdout);
  assert.is(report.replayed, 2);
  assert.is(report.dryRun, false);
  assert.equal(report.messages.map((m: { messageId: string }) => m.messageId), chosen);
  const moved = await drainQueue(env.amqpUrl, QUEUE);
  assert.equal(moved.map((m) => m.properties.messageId), chosen);
  expected = expected.filter((id) => !chosen.includes(id));
  assert.equal(idsInQueue(), expected, 'the others stay, in their order');
});

test.run();
