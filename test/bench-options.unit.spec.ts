// The end-to-end benchmark's command line: its defaults, the warm-up that no figure
// counts, and a bad argument stopped with one line naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOptions, UsageError } from '../bench/support/options.ts';

test('the defaults: 64 clients flat out for 60 s, no warm-up, a 60 s drain, all in one process', () => {
  const o = parseOptions([]);
  assert.equal(o.load, { kind: 'closed', clients: 64 });
  assert.is(o.seconds, 60);
  assert.is(o.warmupSeconds, 0);
  assert.is(o.drainSeconds, 60);
  assert.is(o.mode, 'all-in-one');
  assert.is(o.products, undefined, 'the seed catalog as it is');
  assert.is(o.fault, undefined, 'no fault');
});

test('--products takes a whole number of products, up to what the bench ids can name', () => {
  assert.is(parseOptions(['--products', '1']).products, 1);
  assert.is(parseOptions(['--products', '500', '--rate', '100']).products, 500);
  assert.is(parseOptions(['--products', '99999']).products, 99_999);
  for (const [args, message] of [
    [['--products'], /--products needs a positive integer \(got nothing\)/],
    [['--products', '0'], /--products needs a positive integer \(got 0\)/],
    [['--products', '2.5'], /--products needs a positive integer \(got 2.5\)/],
    [['--products', '100000'], /--products is at most 99999 \(got 100000\)/],
  ] as const) {
    assert.throws(() => parseOptions(args), (e: Error) => e instanceof UsageError && message.test(e.message), args.join(' '));
  }
});

test('--warmup takes seconds, fractions and 0 included; settings pass through as they are', () => {
  const o = parseOptions(['--rate', '150', '--seconds', '30', '--warmup', '10', 'PAYMENT_LATENCY_MS=0']);
  assert.equal(o.load, { kind: 'open', rate: 150 });
  assert.is(o.warmupSeconds, 10);
  assert.equal(o.settings, { PAYMENT_LATENCY_MS: '0' });
  assert.is(parseOptions(['--warmup', '2.5']).warmupSeconds, 2.5);
  assert.is(parseOptions(['--warmup', '0']).warmupSeconds, 0);
});

test('a bad --warmup or --drain is refused with a line naming it', () => {
  for (const [args, message] of [
    [['--warmup'], /--warmup needs seconds >= 0 \(got nothing\)/],
    [['--warmup', '-1'], /--warmup needs seconds >= 0 \(got -1\)/],
    [['--warmup', 'soon'], /--warmup needs seconds >= 0 \(got soon\)/],
    [['--drain', ''], /--drain needs seconds >= 0/],
  ] as const) {
    assert.throws(() => parseOptions(args), (e: Error) => e instanceof UsageError && message.test(e.message), args.join(' '));
  }
});

test('--fault restarts or silences PostgreSQL, stops RabbitMQ or raises its disk alarm S seconds into the window; all but the restart for --fault-down seconds, 10 by default', () => {
  assert.equal(parseOptions(['--fault', 'postgres-restart@20']).fault, { kind: 'postgres-restart', atSecond: 20, downSeconds: 0 });
  assert.equal(parseOptions(['--fault', 'rabbitmq-restart@12.5']).fault, { kind: 'rabbitmq-restart', atSecond: 12.5, downSeconds: 10 });
  assert.equal(parseOptions(['--fault-down', '30', '--fault', 'rabbitmq-restart@0']).fault, { kind: 'rabbitmq-restart', atSecond: 0, downSeconds: 30 });
  assert.equal(parseOptions(['--fault', 'rabbitmq-alarm@20']).fault, { kind: 'rabbitmq-alarm', atSecond: 20, downSeconds: 10 });
  assert.equal(parseOptions(['--fault', 'rabbitmq-alarm@20', '--fault-down', '15']).fault, { kind: 'rabbitmq-alarm', atSecond: 20, downSeconds: 15 });
  assert.equal(parseOptions(['--fault', 'postgres-silent@20']).fault, { kind: 'postgres-silent', atSecond: 20, downSeconds: 10 });
  assert.equal(parseOptions(['--fault', 'postgres-silent@5', '--fault-down', '40']).fault, { kind: 'postgres-silent', atSecond: 5, downSeconds: 40 });
  for (const [args, message] of [
    [['--fault'], /--fault is postgres-restart@S or postgres-silent@S or rabbitmq-restart@S or rabbitmq-alarm@S, S the seconds into the window \(got nothing\)/],
    [['--fault', 'redis-restart@20'], /--fault is postgres-restart@S or postgres-silent@S or rabbitmq-restart@S or rabbitmq-alarm@S.*\(got redis-restart@20\)/],
    [['--fault', 'postgres-restart'], /\(got postgres-restart\)/],
    [['--fault', 'postgres-restart@-1'], /\(got postgres-restart@-1\)/],
    [['--fault', 'postgres-restart@60'], /--fault postgres-restart@60 is not within the 60 s window/],
    [['--seconds', '30', '--fault', 'rabbitmq-restart@45'], /--fault rabbitmq-restart@45 is not within the 30 s window/],
    [['--fault', 'postgres-restart@20', '--fault-down', '5'], /--fault-down goes with --fault postgres-silent@S, rabbitmq-restart@S/],
    [['--fault-down', '5'], /--fault-down goes with --fault postgres-silent@S, rabbitmq-restart@S/],
    [['--fault', 'rabbitmq-restart@20', '--fault-down', '0'], /--fault-down needs a positive number \(got 0\)/],
  ] as const) {
    assert.throws(() => parseOptions(args), (e: Error) => e instanceof UsageError && message.test(e.message), args.join(' '));
  }
});

test.run();
