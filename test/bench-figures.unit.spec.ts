// The bench's throughput per minute (bench/support/figures.ts, report.ts): a long run that
// slows as it goes says so in its report. And what a fault in the window (--fault) did: the
// orders taken or refused while the server was down, and how long until the rate came back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { faultFigures, perMinute, type SecondBucket } from '../bench/support/figures.ts';
import type { Request } from '../bench/support/load.ts';
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

test('a fault: the rate before it, the POSTs while the server was down, and the seconds until 5 s average 90% of the rate again', () => {
  const start = 1_000_000;
  // 200/s, nothing from 20 s (the fault) to 30 s, 100/s for 5 s, then 185/s (92.5%)
  const buckets = seconds((s) => (s < 20 ? 200 : s < 30 ? 0 : s < 35 ? 100 : 185), 60);
  const at = (second: number) => start + second * 1000;
  const requests: Request[] = [
    { sentAt: at(19.9), ms: 5, status: 202, orderId: 'before' },
    { sentAt: at(20.2), ms: 5, status: 202, orderId: 'taken in the fault' },
    { sentAt: at(25), ms: 5, status: 503 },
    { sentAt: at(26), ms: 5, status: 503 },
    { sentAt: at(27), ms: 30_000, status: 0 },
    { sentAt: at(30.5), ms: 5, status: 202, orderId: 'after' },
  ];
  const f = faultFigures(requests, buckets, start, at(20), at(29.6));
  assert.equal(f, {
    injectedAtSecond: 20, restoredAtSecond: 29.6, completedPerSecondBefore: 200,
    untilAnswered: { accepted: 1, refused: 2, other: 1 },
    recoveredAfterSeconds: 5, // from 30 s, the first whole second after it answered: 35–39 average 185
  });
  // a rate that never comes back within the run; and a fault in the first seconds, measured against what came before it
  assert.is(faultFigures([], seconds((s) => (s < 20 ? 200 : 150), 60), start, at(20), at(23)).recoveredAfterSeconds, null);
  assert.is(faultFigures([], seconds((s) => (s < 20 ? 200 : 150), 60), start, at(3), at(5)).completedPerSecondBefore, 200);
});

test.run();
