// The bench's throughput per minute (bench/support/figures.ts, report.ts): a long run that
// slows as it goes says so in its report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { perMinute, type SecondBucket } from '../bench/support/figures.ts';
import { minutesRow } from '../bench/support/report.ts';

const seconds = (perSecond: (second: number) => number, count: number): SecondBucket[] =>
  Array.from({ length: count }, (_, second) => ({ second, completed: perSecond(second), p50Ms: null, p99Ms: null }));

test('each whole minute of the window, in orders/s; the drain after the window and a part minute are left out', () => {
  // 200/s in the first minute, 100/s in the second and the third, then 20 s of a part minute and a drain
  const buckets = seconds((s) => (s < 60 ? 200 : 100), 200);
  assert.equal(perMinute(buckets, 180), [200, 100, 100]);
  assert.equal(perMinute(buckets, 200), [200, 100, 100]);
  assert.equal(perMinute(buckets, 59), []);
});

test('the report row: only for two minutes or more, with the last against the first', () => {
  assert.equal(minutesRow([200]), []);
  assert.equal(minutesRow([200, 190.5, 100]), [['completed in each minute of the window', '200 / 190.5 / 100 orders/s (the last −50% against the first)']]);
  assert.equal(minutesRow([100, 110]), [['completed in each minute of the window', '100 / 110 orders/s (the last +10% against the first)']]);
});

test.run();
