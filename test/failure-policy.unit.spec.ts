// The failure policy without a broker: for each kind of failure and attempt, which
// queue the message goes to and the exact headers it travels with.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { DependencyUnavailableError, PermanentError, TransientError } from '../runtime/errors.ts';
import { EnvelopeError, type IncomingEnvelope } from '../runtime/envelope.ts';
import { decideFailure, type FailedAttempt, type FailurePlan } from '../runtime/failure-policy.ts';
import { Header } from '../runtime/headers.ts';
import { validMessage } from '../runtime/validate-message.ts';

const plan: FailurePlan = {
  service: 'payment',
  deadLetterQueue: 'payment.dlq',
  waitQueues: [{ name: 'payment.wait.100', delayMs: 100 }, { name: 'payment.wait.300', delayMs: 300 }],
  maxAttempts: 3,
};
const at = new Date('2026-11-26T03:00:00.000Z');
const envelopeHeaders = { [Header.causationId]: 'c0ffee00-0000-4000-8000-000000000001', [Header.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

/** The first delivery, as published to the service's exchange. */
const firstDelivery: FailedAttempt = { number: 1, headers: envelopeHeaders, exchange: 'shop.orders', routingKey: 'order.persisted', at };

/** A later delivery: back from a wait queue (dead-lettered by it to the service's queue), with the bookkeeping of earlier attempts. */
const redelivery = (number: number, extra: Record<string, unknown> = {}): FailedAttempt => ({
  number,
  headers: {
    ...envelopeHeaders,
    [Header.originalExchange]: 'shop.orders',
    [Header.originalRoutingKey]: 'order.persisted',
    [Header.attempt]: number,
    [Header.lastError]: 'TransientError: gateway timeout',
    ...extra,
  },
  exchange: '',
  routingKey: 'payment',
  at,
});

/** An error with a known stack, so the dead letter's x-error-stack can be compared exactly. */
const withStack = <E extends Error>(error: E): E => Object.assign(error, {
  stack: `${error.name}: ${error.message}\n    at charge (handlers/payment/gateway.ts:10:5)\n    at handle (runtime/commit-deliveries.ts:70:30)`,
});
const STACK = 'at charge (handlers/payment/gateway.ts:10:5)\nat handle (runtime/commit-deliveries.ts:70:30)';

test('the header names on the wire are the documented ones', () => {
  // Operators' tools and the README read these names: renaming one is a change of the wire format.
  assert.equal({ ...Header }, {
    causationId: 'causation-id', traceparent: 'traceparent',
    attempt: 'x-attempt', outageWaits: 'x-outage-waits', lastError: 'x-last-error',
    originalExchange: 'x-original-exchange', originalRoutingKey: 'x-original-routing-key',
    sender: 'x-sender',
    error: 'x-error', errorStack: 'x-error-stack', attempts: 'x-attempts',
    deadLetteredAt: 'x-dead-lettered-at', deadLetteredBy: 'x-dead-lettered-by', replayedAt: 'x-replayed-at',
    death: 'x-death', deliveryCount: 'x-delivery-count',
  });
});

test('given a transient error on attempt 1, when it is decided, then the message goes to the first wait queue with its delay and attempt 2 in its header', () => {
  const decision = decideFailure(new TransientError('gateway timeout'), firstDelivery, plan);
  assert.equal(decision, {
    action: 'retry',
    why: 'failed',
    queue: 'payment.wait.100',
    delayMs: 100,
    headers: {
      ...envelopeHeaders,
      [Header.originalExchange]: 'shop.orders',
      [Header.originalRoutingKey]: 'order.persisted',
      [Header.attempt]: 2,
      [Header.lastError]: 'TransientError: gateway timeout',
    },
  });
});

test('given a transient error on attempt 2, when it is decided, then the message goes to the second wait queue and keeps where it was first published', () => {
  const decision = decideFailure(new TransientError('lock conflict'), redelivery(2), plan);
  assert.equal(decision, {
    action: 'retry',
    why: 'failed',
    queue: 'payment.wait.300',
    delayMs: 300,
    headers: {
      ...envelopeHeaders,
      [Header.originalExchange]: 'shop.orders',
      [Header.originalRoutingKey]: 'order.persisted',
      [Header.attempt]: 3,
      [Header.lastError]: 'TransientError: lock conflict',
    },
  });
});

test('given more attempts than delays, when an attempt past the last delay fails, then the message waits in the longest wait queue', () => {
  const decision = decideFailure(new Error('something odd'), redelivery(4), { ...plan, maxAttempts: 6 });
  assert.is(decision.action, 'retry');
  assert.is(decision.action === 'retry' && decision.queue, 'payment.wait.300');
  assert.is(decision.action === 'retry' && decision.headers[Header.attempt], 5);
});

test('given a transient error on the last attempt, when it is decided, then the message is dead-lettered with the reason headers', () => {
  const decision = decideFailure(withStack(new TransientError('gateway timeout')), redelivery(3), plan);
  assert.equal(decision, {
    action: 'dead-letter',
    why: 'last attempt',
    queue: 'payment.dlq',
    headers: {
      ...envelopeHeaders,
      [Header.attempt]: 3,
      [Header.lastError]: 'TransientError: gateway timeout',
      [Header.error]: 'TransientError: gateway timeout',
      [Header.errorStack]: STACK,
      [Header.attempts]: 3,
      [Header.originalExchange]: 'shop.orders',
      [Header.originalRoutingKey]: 'order.persisted',
      [Header.deadLetteredAt]: '2026-11-26T03:00:00.000Z',
      [Header.deadLetteredBy]: 'payment',
    },
  });
});

test('given a permanent error on attempt 1, when it is decided, then the message is dead-lettered at once', () => {
  const decision = decideFailure(withStack(new PermanentError('card belongs to a closed account')), firstDelivery, plan);
  assert.equal(decision, {
    action: 'dead-letter',
    why: 'permanent',
    queue: 'payment.dlq',
    headers: {
      ...envelopeHeaders,
      [Header.error]: 'PermanentError: card belongs to a closed account',
      [Header.errorStack]: STACK,
      [Header.attempts]: 1,
      [Header.originalExchange]: 'shop.orders',
      [Header.originalRoutingKey]: 'order.persisted',
      [Header.deadLetteredAt]: '2026-11-26T03:00:00.000Z',
      [Header.deadLetteredBy]: 'payment',
    },
  });
});

test('given bad data the database refuses (SQLSTATE class 22), when it is decided, then the message is dead-lettered at once', () => {
  const bad = Object.assign(new Error('invalid input syntax for type uuid: "urn:uuid:x"'), { code: '22P02' });
  const decision = decideFailure(bad, firstDelivery, plan);
  assert.is(decision.action, 'dead-letter');
  assert.is(decision.action === 'dead-letter' && decision.why, 'permanent');
});

test('given a message that fails its schema, when it is decided, then it is dead-lettered at once with the validation reason', () => {
  const messageId = randomUUID();
  const envelope: IncomingEnvelope = { messageId, type: 'OrderPersisted', correlationId: undefined, causationId: undefined, traceparent: undefined, attempt: 1, appId: undefined };
  let invalid: unknown;
  try {
    validMessage(envelope, 'OrderPersisted', Buffer.from(JSON.stringify({ surprise: true })), undefined);
  } catch (error) {
    invalid = error;
  }
  const decision = decideFailure(invalid, firstDelivery, plan);
  assert.is(decision.action, 'dead-letter');
  if (decision.action !== 'dead-letter') return;
  assert.is(decision.why, 'permanent');
  assert.is(decision.queue, 'payment.dlq');
  assert.match(String(decision.headers[Header.error]), `PermanentError: OrderPersisted ${messageId} fails its schema: `);
  assert.match(String(decision.headers[Header.error]), 'additional properties');
  assert.is(decision.headers[Header.attempts], 1);
});

test('given a message without a usable envelope, when it is decided, then it is dead-lettered at once with the reason', () => {
  const decision = decideFailure(new EnvelopeError('messageId not-a-uuid is not a UUID'), firstDelivery, plan);
  assert.is(decision.action, 'dead-letter');
  assert.is(decision.action === 'dead-letter' && decision.why, 'permanent');
  assert.is(decision.action === 'dead-letter' && decision.headers[Header.error], 'EnvelopeError: messageId not-a-uuid is not a UUID');
});

test('given the database or the broker unreachable, when it is decided, then the message goes back unchanged, even on its last attempt', () => {
  const restart = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  assert.equal(decideFailure(restart, firstDelivery, plan), { action: 'requeue' });
  assert.equal(decideFailure(new Error('Channel closed'), redelivery(3), plan), { action: 'requeue' });
});

test('given an outside dependency that is down, when it is decided, then the message waits with its attempt unspent and its outage waits counted', () => {
  const decision = decideFailure(new DependencyUnavailableError('payment gateway answered 503'), firstDelivery, plan);
  assert.equal(decision, {
    action: 'retry',
    why: 'unavailable',
    queue: 'payment.wait.100',
    delayMs: 100,
    headers: {
      ...envelopeHeaders,
      [Header.originalExchange]: 'shop.orders',
      [Header.originalRoutingKey]: 'order.persisted',
      [Header.attempt]: 1,
      [Header.outageWaits]: 1,
      [Header.lastError]: 'DependencyUnavailableError: payment gateway answered 503',
    },
  });
});

test('given a long outside outage on the last attempt, when it is decided, then the message still waits, in the longest wait queue', () => {
  const decision = decideFailure(new DependencyUnavailableError('payment gateway answered 503'), redelivery(3, { [Header.outageWaits]: 5 }), plan);
  assert.is(decision.action, 'retry');
  if (decision.action !== 'retry') return;
  assert.is(decision.why, 'unavailable');
  assert.is(decision.queue, 'payment.wait.300');
  assert.is(decision.delayMs, 300);
  assert.is(decision.headers[Header.attempt], 3);
  assert.is(decision.headers[Header.outageWaits], 6);
});

test('given long error texts, when they are decided, then the headers carry them cut short', () => {
  const long = 'x'.repeat(5000);
  const retried = decideFailure(new TransientError(long), firstDelivery, plan);
  const dead = decideFailure(new PermanentError(long), firstDelivery, plan);
  assert.is(retried.action === 'retry' && String(retried.headers[Header.lastError]).length, 1000);
  assert.is(dead.action === 'dead-letter' && String(dead.headers[Header.error]).length, 4000);
});

test('given a failed attempt, when it is decided, then the headers it arrived with are left as they were', () => {
  const attempt = redelivery(2);
  const before = structuredClone(attempt.headers);
  decideFailure(new TransientError('gateway timeout'), attempt, plan);
  decideFailure(new PermanentError('declined for good'), attempt, plan);
  assert.equal(attempt.headers, before);
});

test.run();
