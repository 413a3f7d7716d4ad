// How the log batcher cuts a service's records into LogEmitted: in their order, at most
// `count` records and `maxBytes` of JSON each, a record larger than maxBytes alone in a
// LogEmitted of its own (sent, not dropped: the limit is half what a consumer takes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runsOf } from '../runtime/log-batcher.ts';
import { logRecord } from '../runtime/event-log.ts';

const records = (n: number, size = 10) => Array.from({ length: n }, (_, i) => logRecord('info', `${i}`.padEnd(size, 'x')));
const bytesOf = (run: readonly unknown[]) => run.reduce<number>((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)) + 1, 0);

test('records go in order, at most count to a run', () => {
  const all = records(7);
  const runs = runsOf(all, 3, 1_000_000);
  assert.equal(runs.map((r) => r.length), [3, 3, 1]);
  assert.equal(runs.flat(), all);
  assert.equal(runsOf(all, 7, 1_000_000).map((r) => r.length), [7], 'exactly count: one run');
  assert.equal(runsOf([], 3, 1000), [], 'nothing: no run');
});

test('a run stays within maxBytes; a record larger alone is a run of its own, not dropped', () => {
  const [small, big, small2, small3] = [records(1, 100)[0]!, records(1, 5000)[0]!, records(1, 100)[0]!, records(1, 100)[0]!];
  const limit = bytesOf([small, small2]);
  const runs = runsOf([small, big, small2, small3], 100, limit);
  assert.equal(runs, [[small], [big], [small2, small3]]);
  for (const run of runs) if (run.length > 1) assert.ok(bytesOf(run) <= limit, `${bytesOf(run)} bytes`);
  assert.equal(runsOf([small, small2, small3], 100, limit - 1).map((r) => r.length), [1, 1, 1], 'one byte short: a run each');
});

test.run();
