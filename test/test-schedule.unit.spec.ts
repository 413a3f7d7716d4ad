// The order of test files run side by side (tools/test-schedule.ts): the longest first,
// never two that name the same lock at once, and the lock names read from a file's head.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aloneBecause, locksOf, longestFirst, nextStartable, type PlannedFile } from '../tools/test-schedule.ts';

const file = (name: string, seconds: number, locks: string[] = []): PlannedFile => ({ file: name, expectedMs: seconds * 1000, locks });

test('the longest expected file starts first; equal ones by name', () => {
  const order = longestFirst([file('b.unit', 2), file('z.e2e', 90), file('a.unit', 2), file('m.int', 30)]).map((f) => f.file);
  assert.equal(order, ['z.e2e', 'm.int', 'a.unit', 'b.unit']);
});

test('a file whose lock a running file holds waits; the next one without it starts instead', () => {
  const running = [file('generator.unit', 10, ['templates-transpile'])];
  const waiting = [file('output.unit', 8, ['templates-transpile']), file('money.unit', 1)];
  assert.is(nextStartable(waiting, running)?.file, 'money.unit');
  assert.is(nextStartable(waiting.slice(0, 1), running), undefined, 'nothing startable: it waits for the lock');
  assert.is(nextStartable(waiting, [])?.file, 'output.unit', 'free once the holder ended');
});

test('lock names: one or several, comma-separated, a reason after them ignored; none without the line', () => {
  assert.equal(locksOf('// test-lock: templates-transpile (the generator rewrites it)\n// more'), ['templates-transpile']);
  assert.equal(locksOf('// test-time-limit: 420s\n// test-lock: a, b_2\n'), ['a', 'b_2']);
  assert.equal(locksOf('// a file with no lock\nimport x from "y";'), []);
});

test('a file that must run alone says why in its head; a lock is not that', () => {
  assert.is(aloneBecause('// test-time-limit: 600s\n// test-alone: restarts the machine\'s PostgreSQL\nimport x from "y";'), 'restarts the machine\'s PostgreSQL');
  assert.is(aloneBecause('// test-lock: all-services (every service at once)\n'), undefined);
  assert.is(aloneBecause('// a file like most\nimport x from "y";'), undefined);
});

test.run();
