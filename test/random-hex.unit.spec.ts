// Pooled random ids (runtime/random-hex.ts): the right length, hex only, and no id
// repeated, across many refills of the pool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomHex } from '../runtime/random-hex.ts';

test('ids have twice their byte count in lower-case hex digits', () => {
  for (const bytes of [1, 8, 12, 16, 256]) assert.match(randomHex(bytes), new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
});

test('20,000 ids of 11 bytes (over 50 pool refills) are all different', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) seen.add(randomHex(8) + randomHex(3));
  assert.is(seen.size, 20_000);
});

test('a size outside 1 to 256 bytes is refused', () => {
  for (const bytes of [0, -1, 1.5, 257]) assert.throws(() => randomHex(bytes), /1 to 256 bytes/);
});

test.run();
