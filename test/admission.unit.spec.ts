// Admission's refusals grow with the backlog: every order is taken up to the limit, a
// share of them past it (the share the backlog is over the limit), none from twice the
// limit. Which orders of the share are refused is a draw; here the draw is the test's.
// What waits is the queues' messages and the outbox's unpublished events together.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { orderAdmission, refusedShare } from '../handlers/api/admission.ts';
import { HttpProblem } from '../runtime/http/problem.ts';
import { unpublishedAfterMs, type PipelineBacklog } from '../runtime/pipeline-backlog.ts';

const limits = { maxBacklog: 200, checkMs: 500 }; // Retry-After 2 s

function backlogOf(waiting: number | undefined): PipelineBacklog {
  return readingOf(waiting === undefined ? undefined : { queued: waiting, unpublished: 0 });
}

/** A reading of the queues (undefined: the broker unreadable) and the outbox, the count of unpublished events stopping at 400. */
function readingOf(parts: { queued: number | undefined; unpublished: number | undefined } | undefined): PipelineBacklog {
  const current = parts && {
    waiting: (parts.queued ?? 0) + (parts.unpublished ?? 0),
    queued: parts.queued,
    deepest: parts.queued === undefined ? undefined : { queue: 'store-order', waiting: parts.queued },
    unpublished: parts.unpublished,
    unpublishedAfterMs: unpublishedAfterMs(parts.queued !== undefined),
    unpublishedCountedUpTo: 400,
    at: Date.now(),
  };
  return { current, stop: () => undefined };
}

/** 'taken', or the refusal's status and Retry-After. */
function outcome(waiting: number | undefined, draw: number): string {
  try {
    orderAdmission(backlogOf(waiting), limits, () => draw)();
    return 'taken';
  } catch (err) {
    assert.instance(err, HttpProblem);
    const problem = err as HttpProblem;
    return `${problem.status} retry-after ${problem.headers['retry-after']}`;
  }
}

test('the refused share: none up to the limit, then growing, all from twice the limit', () => {
  assert.is(refusedShare(0, 200), 0);
  assert.is(refusedShare(200, 200), 0);
  assert.is(refusedShare(250, 200), 0.25);
  assert.is(refusedShare(300, 200), 0.5);
  assert.is(refusedShare(400, 200), 1);
  assert.is(refusedShare(5000, 200), 1);
});

test('up to the limit every order is taken, whatever the draw', () => {
  for (const draw of [0, 0.5, 0.999]) {
    assert.is(outcome(0, draw), 'taken');
    assert.is(outcome(200, draw), 'taken');
  }
});

test('past the limit an order is refused when its draw falls in the refused share', () => {
  assert.is(outcome(300, 0.49), '503 retry-after 2');
  assert.is(outcome(300, 0.5), 'taken');
  assert.is(outcome(201, 0), '503 retry-after 2');
  assert.is(outcome(201, 0.01), 'taken');
});

test('from twice the limit every order is refused', () => {
  for (const draw of [0, 0.5, 0.999]) assert.is(outcome(400, draw), '503 retry-after 2');
});

test('an unknown backlog (the broker unreadable) or admission off takes every order', () => {
  assert.is(outcome(undefined, 0), 'taken');
  orderAdmission(undefined, limits, () => 0)();
});

test('the refusal says how far behind the pipeline is, where, and when to retry', () => {
  try {
    orderAdmission(backlogOf(450), limits, () => 0)();
    assert.unreachable('refused');
  } catch (err) {
    const problem = err as HttpProblem;
    assert.is(problem.kind, 'pipeline-behind');
    assert.is(problem.detail, 'The order was not accepted: 450 messages wait in the services\' queues (the deepest is store-order with 450); '
      + 'past 200 waiting a growing share of orders is refused, all of them from 400. Retry in 2 seconds.');
  }
});

/** The refusal's detail, or 'taken'. */
function detailOf(backlog: PipelineBacklog, draw = 0): string {
  try {
    orderAdmission(backlog, limits, () => draw)();
    return 'taken';
  } catch (err) {
    return (err as HttpProblem).detail ?? '';
  }
}

test('a pending event counts after a second while the queues can be read (younger ones are being published), at once while they cannot', () => {
  assert.is(unpublishedAfterMs(true), 1000);
  assert.is(unpublishedAfterMs(false), 0);
});

test('events waiting in the outbox count as waiting: with the queues, or alone while the broker cannot be read', () => {
  assert.is(detailOf(readingOf({ queued: 150, unpublished: 40 })), 'taken', '190 in all, under the limit');
  assert.is(detailOf(readingOf({ queued: 150, unpublished: 250 })), 'The order was not accepted: 150 messages wait in the services\' queues (the deepest is store-order with 150) '
    + 'and 250 events wait in the outbox, unpublished for over 1 s; past 200 waiting a growing share of orders is refused, all of them from 400. Retry in 2 seconds.');
  assert.is(detailOf(readingOf({ queued: undefined, unpublished: 120 })), 'taken');
  assert.is(detailOf(readingOf({ queued: undefined, unpublished: 400 }), 0.999), 'The order was not accepted: the services\' queues cannot be read (is the broker down?) '
    + 'and 400 or more events wait in the outbox, unpublished; past 200 waiting a growing share of orders is refused, all of them from 400. Retry in 2 seconds.');
  assert.is(detailOf(readingOf({ queued: 450, unpublished: undefined })), 'The order was not accepted: 450 messages wait in the services\' queues (the deepest is store-order with 450); '
    + 'past 200 waiting a growing share of orders is refused, all of them from 400. Retry in 2 seconds.', 'the outbox unreadable: the queues alone');
});

test.run();
