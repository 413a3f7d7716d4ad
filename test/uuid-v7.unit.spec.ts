// Time-ordered ids (runtime/uuid-v7.ts): the RFC 9562 layout, order by time, no repeats.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { uuidv7 } from '../runtime/uuid-v7.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('version 7, RFC variant, the time in the first 48 bits', () => {
  const at = Date.UTC(2026, 10, 28, 0, 30);
  const id = uuidv7(at);
  assert.match(id, V7);
  assert.is(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
  assert.match(uuidv7(), V7);
  assert.is(uuidv7(0).slice(0, 13), '00000000-0000');
});

test('ids of later milliseconds sort after earlier ones, as text and as PostgreSQL compares uuids', () => {
  const ids = [uuidv7(1000), uuidv7(1001), uuidv7(2 ** 40), uuidv7(2 ** 48 - 1)];
  assert.equal([...ids].sort(), ids);
});

test('no repeats within one millisecond: 74 random bits each', () => {
  const at = Date.now();
  const ids = new Set(Array.from({ length: 100_000 }, () => uuidv7(at)));
  assert.is(ids.size, 100_000);
  const variants = new Set([...ids].map((id) => id[19]));
  assert.equal([...variants].sort(), ['8', '9', 'a', 'b'], 'the variant\'s two free bits are random');
});

test('a time outside 48 bits is refused', () => {
  assert.throws(() => uuidv7(-1), /0 to 2\^48 - 1 ms, not -1/);
  assert.throws(() => uuidv7(2 ** 48), /not 281474976710656/);
  assert.throws(() => uuidv7(1.5), /not 1.5/);
});

test.run();
