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

test.run();
