// What the card processor's reply means for an order, on plain values: every
// answer it can give (approved, declined, an error, silence, a refusal) and what
// follows: PaymentSucceeded, PaymentFailed, a retry, a wait or a dead letter.
// (The real calls, retries and idempotency: payment.int and payment-provider.int.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { examples } from '../generated/registry.ts';
import type { OrderPersisted } from '../generated/types.ts';
import { ChargeTimeoutError, failureOf, readNoReply, readReply, settle, type NoAnswer } from '../handlers/payment/charge-outcome.ts';
import { DECLINE_REASON } from '../handlers/payment/gateway.ts';
import { classifyFailure, DependencyUnavailableError, PermanentError, TransientError } from '../runtime/errors.ts';

const ORDER_ID = (examples.OrderPersisted[0].payload as OrderPersisted).orderId;
const WHAT = `charging order ${ORDER_ID} (attempt 1)`;
const body = (answer: object) => JSON.stringify(answer);

/** What follows from a reply that is not an answer, as the runtime classifies it. */
const consequence = (reply: NoAnswer) => classifyFailure(failureOf(reply, WHAT));

test('an approved charge is a succeeded payment (PaymentSucceeded)', () => {
  // given the processor approves
  const reply = readReply(ORDER_ID, 200, body({ chargeId: 'ch_1', orderId: ORDER_ID, status: 'SUCCEEDED' }));
  if (reply.kind !== 'answer') return assert.unreachable(`an approval is an answer, not ${reply.kind}`);
  assert.equal(reply.answer, { chargeId: 'ch_1', orderId: ORDER_ID, status: 'SUCCEEDED' });
  // when the payment is settled, then it succeeded, with no reason to give
  assert.equal(settle(reply.answer), { outcome: 'SUCCEEDED', reason: null });
});

test('a declined charge is a failed payment (PaymentFailed) with the processor\'s reason', () => {
  // given the processor declines and says why
  const reply = readReply(ORDER_ID, 200, body({ chargeId: 'ch_2', orderId: ORDER_ID, status: 'DECLINED', reason: 'Insufficient funds' }));
  if (reply.kind !== 'answer') return assert.unreachable(`a declined charge is an answer, not ${reply.kind}`);
  // when it is settled, then it failed, with that reason for the customer
  assert.equal(settle(reply.answer), { outcome: 'FAILED', reason: 'Insufficient funds' });
});

test('a decline without a reason (or with an empty one) fails with the standard decline reason', () => {
  assert.equal(settle({ chargeId: 'ch_3', orderId: ORDER_ID, status: 'DECLINED' }), { outcome: 'FAILED', reason: DECLINE_REASON });
  assert.equal(settle({ chargeId: 'ch_3', orderId: ORDER_ID, status: 'DECLINED', reason: '' }), { outcome: 'FAILED', reason: DECLINE_REASON });
});

test('an approval is a success even if the processor adds a reason', () => {
  assert.equal(settle({ chargeId: 'ch_4', orderId: ORDER_ID, status: 'SUCCEEDED', reason: 'approved by issuer' }), { outcome: 'SUCCEEDED', reason: null });
});

test('a processor that is down or overloaded (429, 502, 503, 504) makes the message wait without spending an attempt', () => {
  for (const status of [429, 502, 503, 504]) {
    const reply = readReply(ORDER_ID, status, '{"error":"the processor is unavailable"}');
    assert.is(reply.kind, 'wait', `HTTP ${status}`);
    if (reply.kind === 'answer') continue;
    assert.instance(failureOf(reply, WHAT), DependencyUnavailableError);
    assert.is(consequence(reply), 'unavailable', `HTTP ${status}`);
  }
});

test('a processor error (500, 501, 505, 599, 408) is retried, counting attempts', () => {
  for (const status of [500, 501, 505, 599, 408]) {
    const reply = readReply(ORDER_ID, status, 'Internal Server Error');
    assert.is(reply.kind, 'retry', `HTTP ${status}`);
    if (reply.kind === 'answer') continue;
    const error = failureOf(reply, WHAT);
    assert.instance(error, TransientError);
    assert.not.instance(error, DependencyUnavailableError);
    assert.is(consequence(reply), 'transient', `HTTP ${status}`);
  }
});

test('a refusal (400, 401, 404, 409, 422) goes to the dead-letter queue at once: no retry can cure it', () => {
  for (const status of [400, 401, 404, 409, 422]) {
    const reply = readReply(ORDER_ID, status, '{"error":"idempotency key reused with another body"}');
    assert.is(reply.kind, 'refused', `HTTP ${status}`);
    if (reply.kind === 'answer') continue;
    assert.instance(failureOf(reply, WHAT), PermanentError);
    assert.is(consequence(reply), 'permanent', `HTTP ${status}`);
  }
});

test('a 2xx other than 200 or a redirect is a refusal too, not a payment', () => {
  for (const status of [201, 204, 301, 302]) assert.is(readReply(ORDER_ID, status, '').kind, 'refused', `HTTP ${status}`);
});

test('a 200 that is not a charge of this order is refused, never taken for a payment', () => {
  const cases = [
    'not json',
    'null',
    body({ chargeId: 'ch_5', orderId: '00000000-0000-4000-8000-000000000000', status: 'SUCCEEDED' }), // another order's charge
    body({ chargeId: 'ch_5', orderId: ORDER_ID, status: 'PROCESSING' }), // not final
    body({ orderId: ORDER_ID, status: 'SUCCEEDED' }), // no charge id
    body({ chargeId: 42, orderId: ORDER_ID, status: 'SUCCEEDED' }),
  ];
  for (const text of cases) {
    const reply = readReply(ORDER_ID, 200, text);
    assert.is(reply.kind, 'refused', text);
    if (reply.kind !== 'answer') assert.is(consequence(reply), 'permanent', text);
  }
});

test('a charge of this order echoed in another case is this order\'s answer: a uuid is the same in capitals', () => {
  // given the processor echoes the order id upper-cased, or the order came in capitals and is echoed lower-cased
  const cases = [
    { ours: ORDER_ID, echoed: ORDER_ID.toUpperCase() },
    { ours: ORDER_ID.toUpperCase(), echoed: ORDER_ID.toLowerCase() },
  ];
  for (const { ours, echoed } of cases) {
    const reply = readReply(ours, 200, body({ chargeId: 'ch_6', orderId: echoed, status: 'SUCCEEDED' }));
    // then it is the answer, not a refusal (which would dead-letter a charge the processor made)
    if (reply.kind !== 'answer') return assert.unreachable(`${echoed} for ${ours} is an answer, not ${reply.kind}: ${reply.why}`);
    assert.equal(settle(reply.answer), { outcome: 'SUCCEEDED', reason: null });
  }
});

/** An error as node:http makes it: an errno `code`, and a message that names it (or not: "socket hang up"). */
const socketError = (message: string, code: string) => Object.assign(new Error(message), { code });

test('silence (the call\'s time limit) and an unreachable processor make the message wait, saying which it was', () => {
  const base = 'http://127.0.0.1:4010';
  // given the call ran out of time (no whole reply: not connected, not answered, or the body never ended)
  assert.equal(readNoReply(new ChargeTimeoutError('the call\'s 10000 ms ran out'), base, 10_000), { kind: 'wait', why: `no answer from ${base} within 10000 ms` });
  // given the connection was refused, the name did not resolve, or the connection was cut before the reply
  const unreachable: [Error, string][] = [
    [socketError('connect ECONNREFUSED 127.0.0.1:4010', 'ECONNREFUSED'), 'ECONNREFUSED'],
    [socketError('getaddrinfo ENOTFOUND gateway.invalid', 'ENOTFOUND'), 'ENOTFOUND'],
    [socketError('getaddrinfo EAI_AGAIN gateway.example', 'EAI_AGAIN'), 'EAI_AGAIN'],
    [socketError('socket hang up', 'ECONNRESET'), 'ECONNRESET (socket hang up)'],
    [Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL' }), 'ERR_INVALID_URL (Invalid URL)'],
  ];
  for (const [error, said] of unreachable) assert.equal(readNoReply(error, base, 10_000), { kind: 'wait', why: `${base} unreachable: ${said}` }, error.message);
});

test('a failure without a reply waits without spending an attempt, keeping node:http\'s error as its cause; it never passes for a database or broker outage', () => {
  const refused = socketError('connect ECONNREFUSED 127.0.0.1:4010', 'ECONNREFUSED');
  // unwrapped, this error would read as the database or the broker being down (the consumer would pause)
  assert.is(classifyFailure(refused), 'infrastructure');
  for (const cause of [refused, new ChargeTimeoutError('the call\'s 10000 ms ran out')]) {
    const error = failureOf(readNoReply(cause, 'http://127.0.0.1:4010', 10_000), WHAT, cause);
    assert.instance(error, DependencyUnavailableError);
    assert.is(error.cause, cause);
    assert.is(classifyFailure(error), 'unavailable', cause.message);
  }
  assert.is(failureOf(readNoReply(refused, 'http://127.0.0.1:4010', 10_000), WHAT, refused).message, `${WHAT}: http://127.0.0.1:4010 unreachable: ECONNREFUSED`);
});

test('every failure names the order, the attempt and what the processor said', () => {
  const reply = readReply(ORDER_ID, 503, 'x'.repeat(500));
  if (reply.kind === 'answer') return assert.unreachable();
  const message = failureOf(reply, WHAT).message;
  assert.ok(message.startsWith(`charging order ${ORDER_ID} (attempt 1): the payment gateway answered 503 `), message);
  assert.ok(message.length < 300, 'the body is cut to 200 characters');
});

test.run();
