// Group commit without a database: a free lane commits whatever is queued (after
// gatherMs, when one is set), groups grow while the lanes are busy, and a failing group is committed again item by item,
// unless its failure is no item's own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GroupCommit } from '../runtime/group-commit.ts';

/** A commit that takes its time, records the groups it saw and fails for the item 'bad'. */
function recorder(ms = 5) {
  const groups: string[][] = [];
  let running = 0;
  let mostAtOnce = 0;
  const commit = async (items: readonly string[]) => {
    groups.push([...items]);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise((r) => setTimeout(r, ms));
    running -= 1;
    if (items.includes('bad')) throw new Error(`cannot commit ${items.join(',')}`);
    return items.map((i) => `done ${i}`);
  };
  return { groups, commit, mostAtOnce: () => mostAtOnce };
}

test('a lone item is committed at once, on its own', async () => {
  const r = recorder();
  const group = new GroupCommit<string, string>({ size: 32, lanes: 2, commit: r.commit });
  assert.is(await group.submit('a'), 'done a');
  assert.equal(r.groups, [['a']]);
});

test('items that arrive while the lanes are busy are committed together, never more than size, never more than lanes at once', async () => {
  const r = recorder();
  const group = new GroupCommit<string, string>({ size: 4, lanes: 1, commit: r.commit });
  const items = Array.from({ length: 9 }, (_, i) => `i${i}`);
  const results = await Promise.all(items.map((i) => group.submit(i)));
  assert.equal(results, items.map((i) => `done ${i}`));
  assert.equal(r.groups, [['i0'], ['i1', 'i2', 'i3', 'i4'], ['i5', 'i6', 'i7', 'i8']]);
  assert.is(r.mostAtOnce(), 1);
});

test('while one lane is busy, items gather for the next group instead of opening another lane', async () => {
  const r = recorder();
  const group = new GroupCommit<string, string>({ size: 8, lanes: 4, commit: r.commit });
  const results = await Promise.all(['a', 'b', 'c', 'd'].map((i) => group.submit(i)));
  assert.equal(results, ['done a', 'done b', 'done c', 'done d']);
  assert.equal(r.groups, [['a'], ['b', 'c', 'd']]);
  assert.is(r.mostAtOnce(), 1);
});

test('a full group waiting opens a further lane at once', async () => {
  const r = recorder();
  const group = new GroupCommit<string, string>({ size: 2, lanes: 3, commit: r.commit });
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map((i) => group.submit(i)));
  assert.equal(r.groups, [['a'], ['b', 'c'], ['d', 'e']]);
  assert.is(r.mostAtOnce(), 3, 'a, then b+c and d+e each a full group while a was busy');
});

test('items held up by a slow transaction get a lane of their own after overflowAfterMs', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const committed: string[] = [];
  const group = new GroupCommit<string, string>({
    size: 8, lanes: 2, overflowAfterMs: 20,
    commit: async (items) => {
      if (items.includes('slow')) await gate;
      committed.push(...items);
      return items.map((i) => `done ${i}`);
    },
  });
  const slow = group.submit('slow');
  assert.is(await group.submit('quick'), 'done quick', 'committed while the slow transaction still runs');
  assert.equal(committed, ['quick']);
  release();
  assert.is(await slow, 'done slow');
});

test('a lane that frees while others are busy takes at once the items that already waited overflowAfterMs', async () => {
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  const group = new GroupCommit<string, string>({
    size: 8, lanes: 2, overflowAfterMs: 30,
    commit: async (items) => {
      started.push(...items);
      if (items[0]!.startsWith('slow')) await new Promise<void>((resolve) => gates.set(items[0]!, resolve));
      return items.map((i) => `done ${i}`);
    },
  });
  const slow1 = group.submit('slow1');
  const slow2 = group.submit('slow2');
  while (!gates.has('slow2')) await new Promise((r) => setTimeout(r, 5)); // its overflow gave it the second lane
  const x = group.submit('x');
  await new Promise((r) => setTimeout(r, 40)); // x is overdue now, both lanes still busy
  assert.is(group.waiting, 1);
  gates.get('slow1')!();
  await slow1;
  await new Promise((r) => setImmediate(r)); // the freed lane's drain has run; no 30 ms timer could have
  assert.is(group.waiting, 0, 'x went into the freed lane at once, without waiting another overflowAfterMs');
  assert.is(await x, 'done x');
  gates.get('slow2')!();
  assert.is(await slow2, 'done slow2');
  assert.equal(started, ['slow1', 'slow2', 'x']);
});

test('with gatherMs, a first item waits for others while every lane is free, and they share its transaction', async () => {
  const r = recorder();
  const group = new GroupCommit<string, string>({ size: 32, lanes: 2, gatherMs: 60, commit: r.commit });
  const since = performance.now();
  const a = group.submit('a');
  assert.equal(r.groups, [], 'a is gathering, not committed on its own at once');
  const rest = ['b', 'c'].map((i) => group.submit(i));
  assert.equal(await Promise.all([a, ...rest]), ['done a', 'done b', 'done c']);
  assert.equal(r.groups, [['a', 'b', 'c']]);
  // timers may fire a millisecond early by performance.now()'s reading, never much more
  assert.ok(performance.now() - since >= 59, `committed after ${performance.now() - since} ms, before the 60 ms gathering wait`);
});

test('with gatherUnderLoadMs, items coming slower than twice per it go at once; coming faster, a first item waits for the others', async () => {
  const r = recorder(1);
  const group = new GroupCommit<string, string>({ size: 32, lanes: 2, gatherUnderLoadMs: 60, commit: r.commit });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  // one every 40 ms: fewer than two due within 60 ms, so each is committed on its own, at once
  for (const item of ['s1', 's2', 's3']) {
    const since = performance.now();
    assert.is(await group.submit(item), `done ${item}`);
    assert.ok(performance.now() - since < 55, `${item} waited ${performance.now() - since} ms at a low rate`);
    await sleep(40);
  }
  assert.equal(r.groups, [['s1'], ['s2'], ['s3']]);
  // one every 2 ms: the mean gap falls under 30 ms within a few dozen items, and from then on the groups gather
  const fast: Promise<string>[] = [];
  for (let i = 0; i < 60; i += 1) {
    fast.push(group.submit(`f${i}`));
    await sleep(2);
  }
  await Promise.all(fast);
  const fastGroups = r.groups.slice(3);
  assert.ok(fastGroups.length <= 10 && fastGroups.some((g) => g.length >= 3), `under load the groups gathered several items: ${JSON.stringify(fastGroups)}`);
  // after a pause the mean gap grows again: a lone item goes at once
  await sleep(1000);
  const since = performance.now();
  await group.submit('late');
  assert.ok(performance.now() - since < 55, `after a pause, a lone item waited ${performance.now() - since} ms`);
});

test('gatherUnderLoadMs cannot be negative', () => {
  assert.throws(() => new GroupCommit({ size: 1, lanes: 1, gatherUnderLoadMs: -1, commit: async () => [] }), /gatherUnderLoadMs -1/);
});

test('with gatherMs, a full group does not wait', async () => {
  const r = recorder();
  const group = new GroupCommit<string, string>({ size: 2, lanes: 1, gatherMs: 60_000, commit: r.commit });
  const both = group.submit('a');
  assert.equal(r.groups, []);
  const b = group.submit('b');
  assert.equal(r.groups, [['a', 'b']], 'the second item filled the group: committed at once');
  assert.equal(await Promise.all([both, b]), ['done a', 'done b']);
});

test('with gatherMs, items that gathered while a lane was busy are taken by the next free lane without a further wait', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const groups: string[][] = [];
  const group = new GroupCommit<string, string>({
    size: 8, lanes: 1, gatherMs: 40,
    commit: async (items) => {
      groups.push([...items]);
      if (items.includes('slow')) await gate;
      return items.map((i) => `done ${i}`);
    },
  });
  const slow = group.submit('slow');
  while (groups.length === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // slow gathered 40 ms, then took the lane
  const x = group.submit('x');
  await new Promise((resolve) => setTimeout(resolve, 60)); // x has waited longer than gatherMs behind the busy lane
  release();
  await slow;
  await new Promise((resolve) => setImmediate(resolve)); // the freed lane's drain has run; no 40 ms timer could have
  assert.equal(groups, [['slow'], ['x']], 'x went into the freed lane at once');
  assert.is(await x, 'done x');
});

test('waiting counts the items no lane has taken yet', async () => {
  const r = recorder();
  const group = new GroupCommit<string, string>({ size: 2, lanes: 1, commit: r.commit });
  assert.is(group.waiting, 0);
  const results = ['a', 'b', 'c', 'd'].map((i) => group.submit(i));
  assert.is(group.waiting, 3, 'a went straight to the free lane, the others wait for it');
  await Promise.all(results);
  assert.is(group.waiting, 0);
  assert.equal(r.groups, [['a'], ['b', 'c'], ['d']]);
});

test('a failing group is committed again one by one: its neighbours succeed, the bad item alone fails', async () => {
  const r = recorder();
  const failures: number[] = [];
  const group = new GroupCommit<string, string>({ size: 8, lanes: 1, commit: r.commit, onBatchFailed: (size) => failures.push(size) });
  const first = group.submit('first');
  const rest = ['a', 'bad', 'b'].map((i) => group.submit(i).then((v) => v, (err: Error) => err));
  assert.is(await first, 'done first');
  const [a, bad, b] = await Promise.all(rest);
  assert.is(a, 'done a');
  assert.is(b, 'done b');
  assert.instance(bad, Error);
  assert.match((bad as Error).message, 'cannot commit bad');
  assert.equal(failures, [3]);
  assert.equal(r.groups, [['first'], ['a', 'bad', 'b'], ['a'], ['bad'], ['b']]);
});

test("a failure that is no item's own fails the whole group at once, with no retry one by one", async () => {
  const r = recorder();
  const failures: number[] = [];
  const group = new GroupCommit<string, string>({
    size: 8, lanes: 1, commit: r.commit, onBatchFailed: (size) => failures.push(size),
    sharedFailure: (err) => (err as Error).message.startsWith('cannot commit'),
  });
  const first = group.submit('first');
  const rest = ['a', 'bad', 'b'].map((i) => group.submit(i).then((v) => v, (err: Error) => err));
  assert.is(await first, 'done first');
  for (const outcome of await Promise.all(rest)) {
    assert.instance(outcome, Error);
    assert.match((outcome as Error).message, 'cannot commit a,bad,b');
  }
  assert.equal(failures, []);
  assert.equal(r.groups, [['first'], ['a', 'bad', 'b']]);
});

test('size and lanes below 1, and negative waits, are refused', () => {
  assert.throws(() => new GroupCommit({ size: 0, lanes: 1, commit: async () => [] }), /at least 1/);
  assert.throws(() => new GroupCommit({ size: 1, lanes: 0, commit: async () => [] }), /at least 1/);
  assert.throws(() => new GroupCommit({ size: 1, lanes: 1, gatherMs: -1, commit: async () => [] }), /cannot be negative/);
});

test.run();
