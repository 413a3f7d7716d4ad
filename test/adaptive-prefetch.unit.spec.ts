// The rule that moves a consumer's prefetch after a slow dependency's latency
// (runtime/adaptive-prefetch.ts): its meter, its decisions window by window, and its loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CallMeter, followCallLoad, HOLD_WINDOWS, nextPrefetch, type CallWindow, type PrefetchDecision } from '../runtime/adaptive-prefetch.ts';
import { createLogger } from '../runtime/logger.ts';
import { eventually } from './support/env.ts';

const bounds = { floor: 128, ceiling: 1000 };
/** A window of 5 s with `inFlight` calls busy on average and `perSecond` answers a second. */
const window = (inFlight: number, perSecond: number, overloaded = 0): CallWindow => ({ ms: 5000, answered: perSecond * 5, overloaded, busyMs: inFlight * 5000 });

test('the meter integrates calls in flight over time and counts how they ended', () => {
  let now = 0;
  const meter = new CallMeter(() => now);
  const first = meter.begin();
  now = 10;
  const second = meter.begin();
  now = 100;
  first('answered');
  first('answered'); // a second end of the same call counts nothing
  assert.is(meter.meanLatencyMs, 190, '100 ms of one call and 90 of another still in flight, over the one answer so far: long rather than short');
  now = 200;
  second('overloaded');
  now = 300;
  assert.equal(meter.take(), { ms: 300, answered: 1, overloaded: 1, busyMs: 100 + 190 });
  const third = meter.begin();
  now = 350;
  third('other');
  now = 400;
  assert.equal(meter.take(), { ms: 100, answered: 0, overloaded: 0, busyMs: 50 }, 'the next window starts where the last was taken');
});

test('every delivery waiting on its call doubles the prefetch, up to the ceiling, while each doubling raises the answers a second', () => {
  let state: PrefetchDecision = { prefetch: 128, hold: 0 };
  state = nextPrefetch(state, window(120, 60), bounds);
  assert.is(state.prefetch, 256);
  assert.ok(state.why?.includes('waited on its call'), state.why);
  state = nextPrefetch(state, window(250, 100), bounds);
  assert.is(state.prefetch, 512, 'the doubling paid off (100 against 60 answers a second): it stays, and the next is tried');
  state = nextPrefetch(state, window(500, 200), bounds);
  assert.is(state.prefetch, 1000, 'the ceiling, not 1024');
  state = nextPrefetch(state, window(990, 400), bounds);
  assert.is(state.prefetch, 1000);
});

test('a doubling that did not raise the answers a second goes back, and none is tried again for a while', () => {
  let state = nextPrefetch({ prefetch: 128, hold: 0 }, window(128, 60), bounds);
  assert.is(state.prefetch, 256);
  state = nextPrefetch(state, window(256, 65), bounds);
  assert.is(state.prefetch, 128, 'twice the calls, the same answers: the dependency sets the pace');
  assert.ok(state.why?.includes('bought nothing'), state.why);
  for (let i = 1; i < HOLD_WINDOWS; i++) {
    state = nextPrefetch(state, window(128, 60), bounds);
    assert.is(state.prefetch, 128, `held in window ${i}`);
  }
  state = nextPrefetch(state, window(128, 60), bounds);
  assert.is(state.prefetch, 256, 'tried again once the hold is over');
});

test('an overloaded dependency halves the prefetch, never below the floor, and holds it', () => {
  let state = nextPrefetch({ prefetch: 1000, hold: 0 }, window(1000, 300, 3), bounds);
  assert.is(state.prefetch, 500);
  assert.ok(state.why?.includes('overloaded (3 calls'), state.why);
  state = nextPrefetch(state, window(500, 300), bounds);
  assert.is(state.prefetch, 500, 'saturated, but held after an overload');
  state = nextPrefetch({ prefetch: 200, hold: 0 }, window(200, 50, 1), bounds);
  assert.is(state.prefetch, 128);
  state = nextPrefetch(state, window(128, 50, 1), bounds);
  assert.is(state.prefetch, 128);
  assert.is(state.why, undefined, 'no change, nothing to say');
});

test('every call busy and none answered (a stuck dependency, its timeouts not yet come): no doubling', () => {
  const state = nextPrefetch({ prefetch: 128, hold: 0 }, window(128, 0), bounds);
  assert.is(state.prefetch, 128);
  assert.is(state.grownFrom, undefined);
});

test('a prefetch the calls use a quarter of at most comes down toward the floor; in between it stays', () => {
  assert.is(nextPrefetch({ prefetch: 1000, hold: 0 }, window(100, 50), bounds).prefetch, 500);
  assert.is(nextPrefetch({ prefetch: 200, hold: 0 }, window(10, 50), bounds).prefetch, 128);
  assert.is(nextPrefetch({ prefetch: 128, hold: 0 }, window(5, 100), bounds).prefetch, 128, 'a fast dependency stays at the floor');
  assert.is(nextPrefetch({ prefetch: 512, hold: 0 }, window(300, 150), bounds).prefetch, 512);
  const grown = nextPrefetch({ prefetch: 128, hold: 0 }, window(128, 60), bounds);
  const met = nextPrefetch(grown, window(150, 75), bounds);
  assert.is(met.prefetch, 256, 'after a doubling the demand was met (not saturated): it stays');
  assert.is(met.grownFrom, undefined);
});

test('the loop: a dependency of fixed latency takes the prefetch to the ceiling; one of fixed throughput brings it back', async () => {
  /** A consumer keeping `prefetch` calls going, each answered by `latency`. */
  const run = (latencyOf: (inFlight: number) => number) => {
    const meter = new CallMeter();
    let inFlight = 0;
    let stopped = false;
    const target = {
      prefetch: 8,
      consuming: true,
      changes: [] as number[],
      async setPrefetch(n: number) { this.prefetch = n; this.changes.push(n); fill(); },
    };
    const fill = () => {
      while (!stopped && inFlight < target.prefetch) {
        inFlight += 1;
        const end = meter.begin();
        setTimeout(() => { inFlight -= 1; end('answered'); fill(); }, latencyOf(inFlight));
      }
    };
    fill();
    const loop = followCallLoad({ meter, target, floor: 8, ceiling: 64, log: createLogger({ logLevel: 'silent' }), tickMs: 20, minWindowMs: 200 });
    return { target, stop: () => { stopped = true; loop.stop(); } };
  };
  const fixedLatency = run(() => 20);
  try {
    await eventually(async () => fixedLatency.target.prefetch === 64, 'the prefetch at the ceiling', 20_000);
    assert.equal(fixedLatency.target.changes, [16, 32, 64]);
  } finally {
    fixedLatency.stop();
  }
  // 400 calls a second at most: twice the calls in flight, twice the latency
  const fixedThroughput = run((inFlight) => inFlight * 2.5);
  try {
    await eventually(async () => fixedThroughput.target.changes.length >= 2, 'a doubling and its return', 20_000);
    assert.equal(fixedThroughput.target.changes.slice(0, 2), [16, 8]);
  } finally {
    fixedThroughput.stop();
  }
});

test('no window is judged while the consumer cannot take deliveries: it resumes with the prefetch it had', async () => {
  const meter = new CallMeter();
  const target = { prefetch: 512, consuming: false, changes: [] as number[], async setPrefetch(n: number) { this.prefetch = n; this.changes.push(n); } };
  const loop = followCallLoad({ meter, target, floor: 8, ceiling: 1000, log: createLogger({ logLevel: 'silent' }), tickMs: 10, minWindowMs: 50 });
  try {
    await new Promise((r) => setTimeout(r, 300)); // six windows with nothing in flight: each would halve it
    assert.equal(target.changes, [], 'paused: nothing judged');
    target.consuming = true;
    await eventually(async () => target.changes.length > 0, 'a judgement once it consumes again');
    assert.is(target.changes[0], 256, 'judged from 512 as it was, a window at a time');
  } finally {
    loop.stop();
  }
});

test.run();
